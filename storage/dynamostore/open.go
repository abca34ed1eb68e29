package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
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
// a DynamoDB client of its own built from cfg (its region, credentials, endpoint,
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
		Responses: &store{t: t, ns: nsResponses},
		Redirects: &store{t: t, ns: nsRedirects},
	}, nil
}
