from swarmtui.cli import main

raise SystemExit(main())
