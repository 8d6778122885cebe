"""`smallville llm check`, and the model flags and settings that `run` and `interview`
share with it."""

from __future__ import annotations

import argparse

from smallville.cli.common import UserError


def add_parser(sub) -> None:
    llm = sub.add_parser("llm", help="check the language-model endpoint")
    lsub = llm.add_subparsers(title="llm commands", metavar="COMMAND")
    c = lsub.add_parser(
        "check",
        help="say what works at the endpoint and how many requests it runs at once",
        description="Send one tiny structured request (and an embedding request when an "
        "embedding model is set) to the configured endpoint; print the output mode that "
        "works (json_schema, json_object or plain), the latency and the answer. Then time "
        "bursts of 2, 4, 8... identical requests to see how many the server runs in "
        "parallel, and recommend --concurrency. Exit 1 when the endpoint cannot be used.",
    )
    llm_flags(c)
    c.add_argument(
        "--max-burst",
        type=int,
        default=16,
        metavar="N",
        help="largest burst of identical requests sent at once (16; 0 skips the measurement)",
    )
    c.set_defaults(func=_llm_check)


def llm_flags(p: argparse.ArgumentParser, about: str | None = None) -> None:
    """The model flags, in their own help group; ``about`` is that group's description."""
    g = p.add_argument_group(
        "language model (flags override the environment; the key is read from OPENAI_API_KEY only)",
        about,
    )
    g.add_argument("--llm", choices=["scripted", "openai"], help="backend (SMALLVILLE_LLM)")
    g.add_argument(
        "--base-url",
        help="OpenAI-compatible endpoint (SMALLVILLE_BASE_URL, else OPENAI_BASE_URL)",
    )
    g.add_argument(
        "--model",
        help="model name (SMALLVILLE_MODEL; default: the one model the endpoint serves, "
        "or gpt-4o-mini on the OpenAI API)",
    )
    g.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="wait this long for one HTTP request (SMALLVILLE_TIMEOUT; default 60)",
    )
    g.add_argument(
        "--max-attempts",
        type=int,
        metavar="N",
        help="HTTP attempts for one answer (SMALLVILLE_MAX_ATTEMPTS; default 5); a request "
        "that timed out is tried twice at most",
    )


def llm_config(args: argparse.Namespace, *, probe: bool = False, **extra):
    """The model settings from flags and environment.

    With ``probe``, an endpoint is asked first (the scripted model is not): a dead one,
    a refused key or an unknown model is a UserError, and an unnamed model is resolved
    from what the endpoint serves. Without it (``llm check``, which reports failures
    itself) an unnamed model is still resolved when the endpoint allows it.
    """
    from smallville.llm import ConfigError, LLMConfig
    from smallville.llm.probe import EndpointError, check_endpoint

    try:
        config = LLMConfig.resolve(
            backend=args.llm,
            base_url=args.base_url,
            model=args.model,
            timeout=getattr(args, "timeout", None),
            max_attempts=getattr(args, "max_attempts", None),
            **extra,
        )
        if probe:
            return check_endpoint(config)
    except ConfigError as e:  # EndpointError included
        raise UserError(str(e)) from e
    if config.backend == "openai" and config.model is None:
        try:
            return check_endpoint(config)
        except EndpointError:
            pass  # `llm check` says what is wrong in its own words
    return config


def _llm_check(args: argparse.Namespace) -> int:
    from smallville.llm.check import run_check

    report = run_check(llm_config(args), max_burst=args.max_burst)
    for line in report.lines:
        print(line)
    return 0 if report.ok else 1
