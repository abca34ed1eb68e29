package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode"

	"github.com/clientcache/clientcache"
)

// commonFlags are the flags every command takes, and the key flags of the
// commands that derive cache keys (command.keyed).
type commonFlags struct {
	cache   string
	verbose bool
	// credentials are the --credential names: Options.Credentials.
	credentials stringList
	// shareCredentials is --share-credentials: Options.ShareAcrossCredentials.
	// It changes keys, so every keyed command takes it.
	shareCredentials bool
}

// newFlagSet returns the flag set of command c with the common flags
// registered. The flag package's own messages are discarded: it prints the
// whole flag list on every mistake, where a one-line message is wanted (see
// parseArgs); -h prints the command's usage instead.
func newFlagSet(c *command) (*flag.FlagSet, *commonFlags) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	common := &commonFlags{}
	fs.StringVar(&common.cache, "cache", "", "")
	fs.BoolVar(&common.verbose, "v", false, "")
	if c.keyed {
		fs.Var(&common.credentials, "credential", "")
		fs.BoolVar(&common.shareCredentials, "share-credentials", false, "")
	}
	return fs, common
}

// credentialFlagHelp describes --credential, for the usage of the commands
// that take it.
const credentialFlagHelp = `  --credential NAME     a request header or query parameter that carries
                        credentials, besides the built-in ones (Authorization,
                        Cookie, api_key, key, sig, *token*, *secret*...); "*"
                        matches any run of characters; repeatable. Requests
                        with other values of it, or without it, never share a
                        stored response, and its values are never stored or
                        logged in clear. They change the keys: give the same
                        names to get, show, delete and proxy on one cache
  --share-credentials   leave credentials out of the key: requests with
                        different credentials, or none, share stored responses.
                        Only for a cache with a single user (or responses that
                        are the same for everyone): anyone may then be served
                        what was fetched with anyone's credentials. It changes
                        the keys too: give it to show and delete as well
`

// commonFlagsHelp describes the flags of newFlagSet for c, for its usage.
func commonFlagsHelp(c *command) string {
	var s string
	if c.keyed {
		s = credentialFlagHelp
	}
	return s + `  --cache URL           the store to use; default: $` + cacheEnv + ` when set, else
                        ` + defaultCacheShown() + `
  -v                    also log the cache's debug messages to stderr
`
}

// checkCredentialNames returns a usage error for a --credential value that
// is not a name: empty, with spaces or control characters, or with the
// value it was meant to stand for ("X-Tenant: a", "tenant=a").
func checkCredentialNames(c *command, names []string) error {
	for _, name := range names {
		bad := strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
		switch {
		case name == "" || bad:
			return usagef("%s: --credential %q: want a header or query parameter name without spaces, such as X-Tenant or tenant_id (\"*\" matches any run of characters)", c.name, name)
		case strings.ContainsAny(name, ":="):
			return usagef("%s: --credential %q: give the name only, without a value, such as --credential X-Tenant", c.name, name)
		}
	}
	return nil
}

// optionsError is the error of c when clientcache refused its Options: they
// come from its flags, so one wrapping clientcache.ErrInvalidOptions is a
// usage error (exit 2), which says what to fix.
func optionsError(c *command, err error) error {
	if errors.Is(err, clientcache.ErrInvalidOptions) {
		return usagef("%s: %s; run 'clientcache %s -h' for its flags", c.name, strings.TrimPrefix(err.Error(), "clientcache: "), c.name)
	}
	return fmt.Errorf("clientcache: %s: %w", c.name, err)
}

// parseArgs parses args with fs and returns the arguments that are not
// flags. Unlike fs.Parse alone it does not stop at the first non-flag,
// because users type flags after the URL too ("clientcache get URL -i");
// an argument "--" ends the flags, for arguments that start with "-".
//
// -h returns flag.ErrHelp after printing c's usage to e.stdout; any other
// mistake returns a one-line usageError.
func parseArgs(e *env, c *command, fs *flag.FlagSet, common *commonFlags, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printCommandUsage(e.stdout, c)
				return nil, flag.ErrHelp
			}
			return nil, usagef("%s: %v; run 'clientcache %s -h' for its flags", c.name, err, c.name)
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" && !flagTakesValue(fs, args, n-1) {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	if err := checkCredentialNames(c, common.credentials); err != nil {
		return nil, err
	}
	if common.verbose {
		e.level.Set(slog.LevelDebug)
		logLevel.Set(slog.LevelDebug)
	}
	return positional, nil
}

// flagTakesValue reports whether args[i] is the value of the flag before it
// ("-d --"), rather than the end-of-flags marker.
func flagTakesValue(fs *flag.FlagSet, args []string, i int) bool {
	if i == 0 {
		return false
	}
	prev := args[i-1]
	if !strings.HasPrefix(prev, "-") || strings.Contains(prev, "=") || prev == "--" {
		return false
	}
	f := fs.Lookup(strings.TrimLeft(prev, "-"))
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// printCommandUsage writes c's synopsis, details and flags.
func printCommandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", strings.TrimSpace("clientcache "+c.name+" [flags] "+c.synopsis), upperFirst(c.summary))
	if c.help != "" {
		fmt.Fprintf(w, "\n%s", c.help)
	}
	if c.name != "help" && c.name != "version" {
		fmt.Fprintf(w, "\nFlags:\n%s%s", c.flags, commonFlagsHelp(c))
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stringList is a repeatable string flag (-H).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
