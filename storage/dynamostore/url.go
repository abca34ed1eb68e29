package dynamostore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/clientcache/clientcache/storage"
)

func init() {
	storage.Register("dynamodb", openURL, storage.URLForm{Form: "dynamodb://TABLE?endpoint=URL&region=REGION", Means: "DynamoDB: the table TABLE"})
}

// openURL opens dynamodb://TABLE?endpoint=URL&region=REGION&create=BOOL for
// storage.Open.
func openURL(ctx context.Context, u *url.URL) (*storage.Backend, error) {
	p, err := parseURL(u)
	if err != nil {
		return nil, storage.InvalidURL(err)
	}
	// OpenEndpoint hides the endpoint's password itself.
	return OpenEndpoint(ctx, p.endpoint, p.region, p.opts)
}

// urlParams is what a dynamodb:// URL says.
type urlParams struct {
	endpoint, region string
	opts             *Options
}

// urlHelp is the form of a dynamodb:// URL, for error messages.
const urlHelp = "dynamodb://TABLE?endpoint=URL&region=REGION&create=false (all parts optional)"

// parseURL reads a dynamodb:// URL: the host is the table (cache_name;
// default http_cache), and the query may hold endpoint, region and create.
// Anything else is an error.
func parseURL(u *url.URL) (urlParams, error) {
	bad := func(format string, args ...any) (urlParams, error) {
		return urlParams{}, fmt.Errorf("dynamostore: cache URL %q: %s; the form is %s", shownURL(u), fmt.Sprintf(format, args...), urlHelp)
	}
	if !strings.EqualFold(u.Scheme, "dynamodb") {
		return bad("scheme %q is not dynamodb", u.Scheme)
	}
	if u.Opaque != "" {
		return bad("missing // after dynamodb:")
	}
	if u.User != nil {
		return bad("credentials do not belong in the URL; use the AWS credential chain (environment, shared files, roles)")
	}
	if u.Port() != "" {
		return bad("the host part is the table name and cannot have a port; put the server in endpoint=")
	}
	if u.Path != "" && u.Path != "/" {
		return bad("unexpected path %q: the table is the host part", u.Path)
	}
	if u.Fragment != "" {
		return bad("unexpected fragment %q", u.Fragment)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("invalid query: %v", err)
	}
	p := urlParams{opts: &Options{CacheName: u.Host}}
	for name, vals := range q {
		if len(vals) != 1 {
			return bad("parameter %q given %d times", name, len(vals))
		}
		v := vals[0]
		switch name {
		case "endpoint":
			p.endpoint = v
		case "region":
			p.region = v
		case "create":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return bad("create=%q is not a boolean (true or false)", v)
			}
			p.opts.CreateTable = &b
		default:
			return bad("unknown parameter %q (known: endpoint, region, create)", name)
		}
	}
	if _, err := p.opts.resolve(); err != nil {
		return urlParams{}, fmt.Errorf("dynamostore: cache URL %q: %w", shownURL(u), err)
	}
	return p, nil
}

// shownURL is u as a message shows it: without the password of its user
// information, nor those of the endpoint= URLs in its query.
func shownURL(u *url.URL) string { return storage.RedactURL(u.Redacted()) }
