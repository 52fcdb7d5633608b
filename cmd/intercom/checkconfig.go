package main

import (
	"errors"
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
		fmt.Fprintln(stderr, err)
		if errors.Is(err, config.ErrInvalid) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	return 0
}
