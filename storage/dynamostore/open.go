package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clientcache/clientcache/storage"
)

// New returns the Backend of the cache table opts.CacheName, reached through
// the caller's client, which the Backend never closes or reconfigures. It
// checks that the service answers (within Options.ConnectTimeout), creates
// the table when it is missing and Options.CreateTable allows, and enables
// Time to Live where it can.
func New(ctx context.Context, client *dynamodb.Client, opts *Options) (*storage.Backend, error) {
	if client == nil {
		return nil, errors.New("dynamostore: New needs a *dynamodb.Client")
	}
	return newBackend(ctx, client, opts, nil)
}

// Open returns the Backend of the cache table opts.CacheName, reached through
// a DynamoDB client built from cfg (its region, credentials, endpoint,
// retries). When cfg's HTTP client is the SDK's default one, Open uses a copy
// of it that gives up on a response after Options.RequestTimeout, and Close
// releases its idle connections. Then it behaves as New.
func Open(ctx context.Context, cfg aws.Config, opts *Options) (*storage.Backend, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	var closeIdle func()
	var httpClient aws.HTTPClient = cfg.HTTPClient
	if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok || cfg.HTTPClient == nil {
		if bc == nil {
			bc = awshttp.NewBuildableClient()
		}
		tr := bc.GetTransport() // a copy: what cfg's client would use
		if tr.ResponseHeaderTimeout == 0 {
			tr.ResponseHeaderTimeout = r.requestTimeout
		}
		httpClient = &http.Client{
			Transport: tr,
			Timeout:   bc.GetTimeout(),
			// The SDK's own client does not follow redirects either.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		closeIdle = tr.CloseIdleConnections
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.HTTPClient = httpClient
		// DynamoDB Local and dynalite send no CRC32 on error responses; the
		// check would only log warnings there. TLS protects the payload.
		o.DisableValidateResponseChecksum = true
	})
	b, err := newBackend(ctx, client, opts, closeIdle)
	if err != nil && closeIdle != nil {
		closeIdle()
	}
	return b, err
}

// OpenEndpoint returns the Backend of the cache table opts.CacheName at
// endpoint (such as "http://localhost:8000" for DynamoDB Local; "" for AWS's
// own endpoint of the region) in region ("" for the one that the
// environment or the shared AWS config names). It loads the standard AWS
// configuration and credential chain (environment, shared files, SSO, IMDS).
//
// An endpoint on the loopback interface is taken for an emulator (DynamoDB
// Local, dynalite), which accepts any credentials: for one, OpenEndpoint does
// not ask the EC2 metadata service, uses static placeholder credentials when
// the chain finds none, and uses region us-east-1 when none is set. Then it
// behaves as Open.
//
// Its errors never show the password of endpoint's user information, if it
// has one.
func OpenEndpoint(ctx context.Context, endpoint, region string, opts *Options) (*storage.Backend, error) {
	b, err := openEndpoint(ctx, endpoint, region, opts)
	// The messages show endpoint redacted; this is for what the SDK may
	// quote of it.
	return b, storage.RedactError(err, endpoint)
}

func openEndpoint(ctx context.Context, endpoint, region string, opts *Options) (*storage.Backend, error) {
	local := false
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("dynamostore: endpoint %q is not an http:// or https:// URL", storage.RedactURL(endpoint))
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
		return nil, fmt.Errorf("dynamostore: loading the AWS configuration for %s: %w", endpointName(endpoint, region), err)
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
				return nil, fmt.Errorf("dynamostore: opening %s: %w", storage.RedactURL(endpoint), context.Cause(ctx))
			}
			cfg.Credentials = placeholderCredentials()
		}
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("dynamostore: no AWS region for %s: pass one (URL: region=) or set AWS_REGION", endpointName(endpoint, region))
	}
	return Open(ctx, cfg, opts)
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

// newBackend builds the two stores over client and sets the table up.
func newBackend(ctx context.Context, client *dynamodb.Client, opts *Options, closeIdle func()) (*storage.Backend, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	t := &table{
		client:    client,
		name:      r.table,
		endpoint:  endpointOf(client),
		create:    r.create,
		log:       r.log,
		closeIdle: closeIdle,
	}
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("dynamostore: opening table %q at %s: %w", t.name, t.endpoint, err)
	}
	if err := t.probe(ctx, r.connectTimeout); err != nil {
		return nil, err
	}
	if err := t.ensure(ctx); err != nil {
		return nil, fmt.Errorf("dynamostore: %w", err)
	}
	t.open.Store(2)
	return &storage.Backend{
		Responses: &Store{t: t, ns: nsResponses},
		Redirects: &Store{t: t, ns: nsRedirects},
	}, nil
}
