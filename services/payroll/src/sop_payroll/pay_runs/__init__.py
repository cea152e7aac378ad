"""Pay runs: a pay group's period calculated from HR's records, approved by a second person,
and finalised into payslips, year-to-date figures, an FPS, a BACS hand-off and a journal."""
