"""The app's stylesheet (layout and a few accents; colours come from the theme).

It lives in Python rather than in a ``.tcss`` file so that it ships in the wheel with
the code (the package data only carries the demo).
"""

from __future__ import annotations

__all__ = ["APP_CSS"]

APP_CSS = """
#body {
    height: 1fr;
}

#list-pane {
    width: 3fr;
    min-width: 40;
}

#filter {
    display: none;
    height: 3;
    border: tall $accent;
}

#modules {
    height: 1fr;
}

#details {
    width: 2fr;
    min-width: 40;
    border-left: tall $panel;
    padding: 0 1;
}

/* Under 100 columns the module list needs the room more than the details do. */
MainScreen.-narrow #details {
    width: 1fr;
    min-width: 30;
    max-width: 34;
}

#detail-title {
    height: auto;
    padding: 0 0 1 0;
}

#detail-scroll {
    height: 3fr;
}

#versions-label {
    width: 1fr;
    text-style: bold underline;
    margin-top: 1;
}

#versions-note {
    height: auto;
    max-height: 4;
}

#versions {
    height: 2fr;
    min-height: 6;
}

StatusBar {
    height: 1;
    background: $panel;
    color: $foreground;
}

/* Modal dialogs: a framed box in the middle of a dimmed screen. */

.dialog {
    width: 90;
    max-width: 95%;
    height: auto;
    max-height: 90%;
    border: thick $accent;
    background: $surface;
    padding: 1 2;
}

.dialog-title {
    text-style: bold;
    width: 1fr;
    padding-bottom: 1;
}

.dialog-buttons {
    height: auto;
    align-horizontal: right;
    padding-top: 1;
}

.dialog-buttons Button {
    margin-left: 2;
}

ExportScreen, HelpScreen, ConfirmScreen {
    align: center middle;
}

/* Full screens: tree, plan, fetch, network log. */

.screen-title {
    height: auto;
    padding: 0 1;
    background: $boost;
    text-style: bold;
}

.screen-note {
    height: auto;
    padding: 0 1;
}

#tree {
    height: 1fr;
    padding: 0 1;
}

#load-error-body {
    height: 1fr;
    padding: 1 1;
}

#doctor-checks {
    height: 1fr;
    padding: 1 1 0 1;
}

.doctor-check {
    height: auto;
    margin-bottom: 1;
}

#load-error-note {
    margin-top: 1;
}

#plan-body {
    height: 1fr;
    padding: 0 1;
}

#diff {
    height: auto;
    border: round $panel;
    padding: 0 1;
}

#fetch-progress {
    height: auto;
    padding: 1 1 0 1;
}

#fetch-table, #log-table {
    height: 1fr;
}

#help-body {
    height: auto;
    max-height: 30;
}

#export-form RadioSet {
    width: 1fr;
    height: auto;
}

#export-form Horizontal {
    height: auto;
}

.export-label {
    width: 1fr;
    text-style: bold;
}

#help-legend {
    margin-top: 1;
}

#help-dialog {
    width: 110;
}

#export-path {
    margin-top: 1;
}

DataTable {
    scrollbar-size-horizontal: 1;
    scrollbar-size-vertical: 1;
}
"""
