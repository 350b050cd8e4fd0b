import { defineOpTests } from "./opdb";

defineOpTests("js");
