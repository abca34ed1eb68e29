package dynamostore

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
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
	// openEndpoint hides the endpoint's password itself.
	return openEndpoint(ctx, p.endpoint, p.region, p.opts)
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

// openEndpoint, behind storage.Open's dynamodb:// URLs, returns the Backend
// of the cache table opts.CacheName at endpoint (such as "http://localhost:8000" for DynamoDB Local; "" for AWS's
// own endpoint of the region) in region ("" for the one that the
// environment or the shared AWS config names). It loads the standard AWS
// configuration and credential chain (environment, shared files, SSO, IMDS).
//
// An endpoint on the loopback interface is taken for an emulator (DynamoDB
// Local, dynalite), which accepts any credentials: for one, openEndpoint does
// not ask the EC2 metadata service, uses static placeholder credentials when
// the chain finds none, and uses region us-east-1 when none is set. Then it
// behaves as Open.
//
// When the service cannot be reached it returns, as Open does, an error
// wrapping [storage.ErrUnavailable] together with a Lazy Backend. Its
// errors, and those of the Lazy Backend, never show the password of
// endpoint's user information, if it has one.
func openEndpoint(ctx context.Context, endpoint, region string, opts *Options) (*storage.Backend, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	return openOrLazy(ctx, r.timeout, func(ctx context.Context) (*storage.Backend, error) {
		b, err := openEndpointConfig(ctx, endpoint, region, opts, r)
		// The messages show endpoint redacted; this is for what the SDK
		// may quote of it.
		return b, storage.RedactError(err, endpoint)
	})
}

func openEndpointConfig(ctx context.Context, endpoint, region string, opts *Options, r resolved) (*storage.Backend, error) {
	cfg, err := endpointConfig(ctx, endpoint, region)
	if err != nil {
		// The deadline may pass while the configuration loads.
		return nil, markUnavailable(ctx, err)
	}
	return openConfig(ctx, cfg, opts, r)
}

// endpointConfig loads the AWS configuration for endpoint and region, as
// openEndpoint says.
func endpointConfig(ctx context.Context, endpoint, region string) (aws.Config, error) {
	local := false
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return aws.Config{}, fmt.Errorf("dynamostore: endpoint %q is not an http:// or https:// URL", storage.RedactURL(endpoint))
		}
		local = isLoopback(u.Hostname())
	}
	var load []func(*config.LoadOptions) error
	if region != "" {
		load = append(load, config.WithRegion(region))
	}
	if local {
		load = append(load, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("dynamostore: loading the AWS configuration for %s: %w", endpointName(endpoint, region), err)
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	if local {
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		if cfg.Credentials == nil {
			cfg.Credentials = placeholderCredentials()
		} else if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			if ctx.Err() != nil {
				return aws.Config{}, fmt.Errorf("dynamostore: opening %s: %w", storage.RedactURL(endpoint), context.Cause(ctx))
			}
			cfg.Credentials = placeholderCredentials()
		}
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("dynamostore: no AWS region for %s: pass one (URL: region=) or set AWS_REGION", endpointName(endpoint, region))
	}
	return cfg, nil
}

func placeholderCredentials() aws.CredentialsProvider {
	return aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("local", "local", ""))
}

func endpointName(endpoint, region string) string {
	if endpoint != "" {
		return storage.RedactURL(endpoint)
	}
	if region != "" {
		return "the AWS DynamoDB endpoint of region " + region
	}
	return "the AWS DynamoDB endpoint"
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
