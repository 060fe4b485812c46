# The replay check comes first: a replayed answer imports nothing else (tui.replay).
from tui.replay import main

raise SystemExit(main())
