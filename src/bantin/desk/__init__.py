"""The newsroom desk: drafts, editorial states and publish runs, shared by the desk web app and the CLI."""
