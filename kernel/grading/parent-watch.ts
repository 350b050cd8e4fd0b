/**
 * Preloaded (`node -r`) into every kernel the grader starts: the kernel exits when the grader that
 * started it is gone (killed, crashed), so no kernel outlives its grading run.
 */
const parent = Number(process.env.GRADBOOK_GRADER_PID);
if (parent > 0) {
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
  }, 500).unref();
}
