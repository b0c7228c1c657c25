"""The app's infrastructure: configuration, extensions, storage, the clock, languages, devices, commands, and
what every view shares."""
