/** Usage lines of the grading commands (kept apart so `gradbook --help` loads nothing else). */
export const GRADING_USAGE = `  gradbook assign SRC -o DIR [--no-check]                   write the student version of a homework (SRC: .ts source or .ipynb)
  gradbook grade SUBMISSIONS --source SRC -o OUT            grade a folder (or .zip) of submissions
      [--workers N] [--spares N] [--cell-timeout S] [--timeout S] [--memory MIB] [--shard I/N] [--no-resume]
  gradbook grade --merge OUT [MORE ...] --source SRC -o OUT  join the shards of a graded class
`;

