from selfservice.cli import main

raise SystemExit(main())
