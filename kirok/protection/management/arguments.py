"""The options every protection command shares: who acts."""


def add_principal_arguments(parser, needs: str = "") -> None:
    """``--user`` (act as this Kirok user) and ``--actor`` (name the console operator)."""
    parser.add_argument("--user", default="", help=f"act as this Kirok user{f' (needs {needs})' if needs else ''}")
    parser.add_argument("--actor", default="", help="name the console operator in the audit (default: login name)")
