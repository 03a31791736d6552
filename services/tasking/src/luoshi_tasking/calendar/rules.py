"""The working-day calendar's rules live in the kit (``luoshi_kit.workcalendar``), since supervision
needs them too (its answer deadlines and escalation); tasking's modules keep importing them from here."""

from luoshi_kit.workcalendar import Source, WorkCalendar, YearSchedule

__all__ = ["Source", "WorkCalendar", "YearSchedule"]
