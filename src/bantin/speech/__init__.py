"""Speech for loudspeaker readings: text normalization, engines and assembly."""
