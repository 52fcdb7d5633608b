package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func versionString() string {
	arch := runtime.GOARCH
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOARM" && s.Value != "" {
				arch += "/v" + s.Value
			}
		}
	}
	return fmt.Sprintf("intercom %s (commit %s) %s/%s %s", version, commit, runtime.GOOS, arch, runtime.Version())
}
