/** Homework checks: the assertion vocabulary and questions with partial credit. */
export { CheckFailure, expect, expectClose, expectGradClose, expectShape, expectThrows } from "./expect";
export type { CloseOptions, GradCloseOptions, Matchers } from "./expect";
export { check, QuestionReport, RESULTS_MIME, test, tests } from "./check";
export type { Check, QuestionResult, TestOptions, TestOutcome, TestsOptions } from "./check";
