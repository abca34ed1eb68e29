// Command clientcache fetches URLs through a clientcache store and manages
// what the store holds.
//
// Usage:
//
//	clientcache get [-X METHOD] [-H 'Name: value']... [-d DATA] [-i] [--expire-after D|never] [--share-credentials] URL
//	clientcache urls [--expired]
//	clientcache show URL
//	clientcache delete URL...
//	clientcache clear
//	clientcache prune
//	clientcache stats
//	clientcache proxy --upstream URL [--listen ADDR] [--shared] [--allow-set-cookie] [--cache-control=false] [--share-credentials]
//	clientcache help [COMMAND]
//	clientcache version
//
// get, show, delete and proxy also take --credential NAME (repeatable): a
// request header or query parameter that carries credentials, besides the
// built-in ones (Authorization, Cookie, api_key...). Requests with
// different credentials never share a stored response.
//
// Every command takes --cache URL, the store to use: memory://,
// file:///abs/dir, sqlite:///abs/path.sqlite,
// redis://host:port/db?cache_name=NAME, mongodb://host:port/NAME or
// dynamodb://TABLE?endpoint=URL&region=REGION. Its default is the
// environment variable CLIENTCACHE_CACHE, else the SQLite file
// clientcache/http_cache.sqlite under the user cache directory
// (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux).
//
// Exit status: 0 on success (for get: a response arrived, whatever its
// status code, stored or not: a line on stderr says when it was not), 1 when
// the network or the store failed, 2 for a usage error (a bad flag, a
// missing argument, an unknown command or cache URL scheme).
//
// docs/cli.md in the repository has examples.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// logLevel is the level of the default slog logger that main installs, which
// the stores log through; -v lowers it to Debug.
var logLevel slog.LevelVar

func init() { logLevel.Set(slog.LevelWarn) }

func main() {
	// Stores log with slog.Default(); keep those lines on stderr, away from
	// the response bodies on stdout.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: &logLevel})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand. A new one (issue 4's proxy, say) is a file
// with its run function and an entry in commands.
type command struct {
	name     string
	synopsis string // the arguments after the name, for usage lines
	summary  string // one line, for the command list
	help     string // what -h adds below the synopsis: details, examples
	flags    string // the command's own flags, one "  -x ARG  what" line each
	// keyed: the command derives cache keys from URLs or requests, so it
	// takes the flags that change them (--credential; see newFlagSet).
	keyed bool
	run   func(ctx context.Context, e *env, c *command, args []string) error
}

// commands lists the subcommands in the order usage shows them.
var commands []*command

func init() {
	commands = []*command{
		getCommand,
		urlsCommand,
		showCommand,
		deleteCommand,
		clearCommand,
		pruneCommand,
		statsCommand,
		proxyCommand,
		versionCommand,
		helpCommand,
	}
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// env is what a command writes to and logs with.
type env struct {
	stdout, stderr io.Writer
	logger         *slog.Logger // the library's logger, on stderr
	level          *slog.LevelVar
}

// run executes the command line args (without the program name) and
// returns the exit status. It is main without the process around it, so
// that tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	e := &env{
		stdout: stdout,
		stderr: stderr,
		logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
		level:  level,
	}
	err := dispatch(ctx, e, args)
	if err == nil || errors.Is(err, flag.ErrHelp) { // -h printed the usage
		return 0
	}
	// One line, whatever the error holds: scripts read the first line.
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if !strings.HasPrefix(msg, "clientcache") {
		msg = "clientcache: " + msg
	}
	fmt.Fprintln(stderr, msg)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stderr)
		return usagef("no command given; run 'clientcache help' for the list")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		printUsage(e.stdout)
		return nil
	case "-version", "--version":
		name = "version"
	}
	if strings.HasPrefix(name, "-") {
		return usagef("flag %s before the command: flags go after it, as in 'clientcache get --cache URL ...'; run 'clientcache help'", name)
	}
	c := lookupCommand(name)
	if c == nil {
		return usagef("unknown command %q; run 'clientcache help' for the list", name)
	}
	return c.run(ctx, e, c, rest)
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: "clientcache: " + fmt.Sprintf(format, args...)}
}

// printUsage writes the command list.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `clientcache fetches URLs through an HTTP cache and manages what it holds.

Usage:
  clientcache COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Every command takes --cache URL, the store to use:
  %s
Default: $%s when set, else %s

Run 'clientcache help COMMAND' or 'clientcache COMMAND -h' for a command's flags.
`, strings.Join(cacheURLForms(), "\n  "), cacheEnv, defaultCacheShown())
}

var helpCommand = &command{
	name:     "help",
	synopsis: "[COMMAND]",
	summary:  "show this list, or the flags of one command",
	run: func(_ context.Context, e *env, c *command, args []string) error {
		fs, common := newFlagSet(c)
		args, err := parseArgs(e, c, fs, common, args)
		if err != nil {
			return err
		}
		switch len(args) {
		case 0:
			printUsage(e.stdout)
			return nil
		case 1:
			c := lookupCommand(args[0])
			if c == nil {
				return usagef("help: unknown command %q; run 'clientcache help' for the list", args[0])
			}
			printCommandUsage(e.stdout, c)
			return nil
		}
		return usagef("help takes at most one command name, got %d arguments", len(args))
	},
}
