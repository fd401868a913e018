"""The facilitator console: run a workshop from the facilitator's laptop.

One screen for the person who runs the room: which workshop is open (and opening another
from a workshop file), the phase stepper with a timer per phase, the participants' join
link and QR code, live counts, the method charter's lock, the ballots (open, close,
release results) and the surveys (open and close waves, live answer counts). Every button
writes through :class:`toolkit.store.Store` and every view
re-reads the store when the :class:`~widgets.live.LiveFeed` reports a change, so what the
console shows is what every other screen sees.

- :mod:`widgets.console.phases` — the phase stepper and its timer;
- :mod:`widgets.console.room` — the table laptops' links and the live counts;
- :mod:`widgets.console.charter` — the method charter's state and lock;
- :mod:`widgets.console.ballots` — every ballot's controls and a new town-meeting vote;
- :mod:`widgets.console.app` — the workshop picker, the projector check, the whole console.

>>> console = FacilitatorConsole(ctx, feed)  # doctest: +SKIP
"""

from __future__ import annotations

from widgets.console.app import (
    ConsoleUnavailable,
    FacilitatorConsole,
    ProjectorCheck,
    WorkshopPicker,
    open_console,
)
from widgets.console.ballots import (
    NEW_BALLOT_RULES,
    BallotControls,
    BallotRow,
    NewBallotForm,
    option_names,
)
from widgets.console.charter import CharterControls
from widgets.console.phases import (
    CLOCK_INTERVAL_S,
    PhasePlan,
    PhaseStepper,
    PhaseTimer,
    clock,
    latest_phase_change,
    phase_name,
    phase_plan,
    phase_timer,
    quoted_titles,
)
from widgets.console.room import (
    COUNT_KEYS,
    DEFAULT_TABLES,
    LiveCounts,
    TableLinks,
    server_origin,
)

__all__ = [
    "CLOCK_INTERVAL_S",
    "COUNT_KEYS",
    "DEFAULT_TABLES",
    "NEW_BALLOT_RULES",
    "BallotControls",
    "BallotRow",
    "CharterControls",
    "ConsoleUnavailable",
    "FacilitatorConsole",
    "LiveCounts",
    "NewBallotForm",
    "PhasePlan",
    "PhaseStepper",
    "PhaseTimer",
    "ProjectorCheck",
    "TableLinks",
    "WorkshopPicker",
    "clock",
    "latest_phase_change",
    "open_console",
    "option_names",
    "phase_name",
    "phase_plan",
    "phase_timer",
    "quoted_titles",
    "server_origin",
]
