"""Screens, grouped by feature: lab/ (the Lab, its mixins and messages), dialogs/ (modal dialogs),
history/, and a folder for each new screen. App-wide pieces live here at the top: commands (the palette),
app_settings, theme_files and messages (posted to the app)."""
