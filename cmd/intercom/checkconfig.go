package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/doorsip/intercom/config"
)

func checkConfigCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	path := config.DefaultPath
	if fs.NArg() > 0 {
		path = fs.Arg(0)
	}
	if _, err := config.Load(path); err != nil {
		return configExit(stderr, err)
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	return 0
}
