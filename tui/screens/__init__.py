"""The app's screens (each a module: main, tree, plan, fetch, export, help, palette)."""
