"""SOP HR: employees, employment terms, org units, positions, absences and leave."""
