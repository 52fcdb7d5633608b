// Package config reads the intercom's one configuration file (TOML) and maps it onto each
// package's typed Config: sip.Config, media.Config, audio.Config, gpio.Config and
// door.Config. It is the only package that knows TOML.
//
// Every problem is reported at once, each as FILE:LINE: key: what is wrong (expected what),
// so an installer editing the file over SSH fixes it in one round. Unknown keys are errors,
// not warnings: a misspelt key silently falling back to a default is how a door stays locked.
// example.toml documents every key and is parsed by a test.
package config
