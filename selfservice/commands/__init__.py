"""CLI sub-commands (see ``selfservice.cli.COMMANDS``)."""
