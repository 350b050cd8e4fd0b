"""Message helpers shared by the jupyter_client tests: the replies and IOPub messages of one
request, and the text in them."""
import time

TIMEOUT = 30


def collect(kc, msg_id, timeout=TIMEOUT):
    """IOPub messages of one request, up to and including its idle status."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out


def reply_to(kc, msg_id, timeout=TIMEOUT, channel="shell"):
    """The reply to one request on the shell (or control) channel."""
    get = kc.get_shell_msg if channel == "shell" else kc.get_control_msg
    while True:
        msg = get(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def run(kc, code, timeout=TIMEOUT, **kw):
    """Executes code; returns the reply's content and the request's IOPub messages."""
    msg_id = kc.execute(code, **kw)
    reply = reply_to(kc, msg_id, timeout)
    return reply["content"], collect(kc, msg_id, timeout)


def result_text(msgs):
    return [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]


def stream_text(msgs, name="stdout"):
    return "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream" and m["content"]["name"] == name)


def rss_mib(km):
    """Resident memory of a kernel started by a KernelManager, in MiB."""
    with open(f"/proc/{km.provisioner.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def remove_cgroup(path, tries=50):
    """Removes a cgroup directory once its processes are gone (the kernel may take a moment to exit)."""
    for _ in range(tries):
        try:
            path.rmdir()
            return
        except OSError:
            time.sleep(0.1)
