"""The course's JupyterLab: the front end built in lab/build/, served by jupyter_server through
jupyterlab_server's LabServerApp (Debian: python3-jupyter-server, python3-jupyterlab-server).

Run with lab/ on the import path (the server finds its extension by importing this module by
the name it registers under, so it must not run as __main__):

    PYTHONPATH=lab /usr/bin/python3 -c "import gradbook_lab; gradbook_lab.main()" --notebook-dir=notebooks
"""
import json
import os
import sys

from jupyter_core.paths import jupyter_config_dir
from jupyterlab_server import LabServerApp

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")

with open(os.path.join(HERE, "package.json")) as f:
    _package = json.load(f)
with open(os.path.join(HERE, "node_modules", "@jupyterlab", "application", "package.json")) as f:
    _lab_version = json.load(f)["version"]


def _jupyter_server_extension_points():
    return [{"module": "gradbook_lab", "app": GradbookLab}]


class GradbookLab(LabServerApp):
    name = "gradbook_lab"
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_name = "JupyterLab"
    app_version = _lab_version
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    app_settings_dir = os.path.join(HERE, "settings")
    # Where pip's JupyterLab keeps them, so a student's settings carry over either way.
    user_settings_dir = os.path.join(jupyter_config_dir(), "lab", "user-settings")
    workspaces_dir = os.path.join(jupyter_config_dir(), "lab", "workspaces")

    def initialize_settings(self):
        super().initialize_settings()
        # No terminal: the course needs none, and Debian's server may lack terminado.
        self.serverapp.web_app.settings["terminals_available"] = False


def main(argv=None):
    GradbookLab.launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit("run through gradbook_lab.main() (see the module's docstring), not as a script")
