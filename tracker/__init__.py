"""minutes-tracker: follow committee resolutions and actions until they are done (web app to come)."""
