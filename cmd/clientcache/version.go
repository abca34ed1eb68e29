package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3"; without it the module version that
// go install recorded is used, else "(devel)".
var version string

var versionCommand = &command{
	name:    "version",
	summary: "print the version of clientcache and of Go it was built with",
	run: func(_ context.Context, e *env, c *command, args []string) error {
		fs, common := newFlagSet(c)
		pos, err := parseArgs(e, c, fs, common, args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return wrongArgs(c, pos)
		}
		_, err = fmt.Fprintln(e.stdout, versionString())
		return err
	},
}

func versionString() string {
	v, goVersion, rev := version, "", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	s := "clientcache " + v
	if rev != "" {
		s += " " + rev
	}
	if goVersion != "" {
		s += " " + goVersion
	}
	return s
}
