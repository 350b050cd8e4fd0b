"""The gradbook kernel against jupyter_kernel_test's protocol suite, every attribute set."""
import os
import tempfile
import unittest

import jupyter_kernel_test


class GradbookKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "gradbook"
    language_name = "typescript"
    file_extension = ".ts"

    @classmethod
    def setUpClass(cls):
        # The history tests count matches in the whole history: give this kernel a history
        # file of its own, so cells run by other test modules in the same session don't count.
        os.environ["GRADBOOK_HISTORY"] = os.path.join(tempfile.mkdtemp(prefix="gradbook-jkt-"), "history.jsonl")
        super().setUpClass()

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.ab", "matches": {"abs"}},
        {"text": "const someLongName = 1; someLo", "matches": {"someLongName"}},
        {"text": '"abc".toUpperC', "matches": {"toUpperCase"}},
    ]

    complete_code_samples = ["1 + 1", "function f() { return 1 }", "let s = `a${1}b`", "if (true) {\n  1\n}"]
    incomplete_code_samples = ["function f() {", "let xs = [1,", "let s = `abc", "foo(1,"]
    invalid_code_samples = ["x = )", "}", "let s = 'unterminated"]

    code_page_something = "help(Math.max)"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "[1, 2].map((x: number) => x * 2)", "result": "[ 2, 4 ]"},
        {"code": "const half: number = await Promise.resolve(0.5)\nhalf", "result": "0.5"},
    ]

    code_display_data = [
        {"code": 'display.html("<b>hi</b>")', "mime": "text/html"},
        {"code": "display.png(Buffer.from([137, 80, 78, 71]))", "mime": "image/png"},
        {"code": 'display.vegalite({ mark: "point", data: { values: [{ a: 1 }] } })', "mime": "application/vnd.vegalite.v5+json"},
        {"code": 'import * as tslab from "tslab"\ntslab.display.markdown("**md**")', "mime": "text/markdown"},
    ]

    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main()
