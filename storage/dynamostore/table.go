package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage"
)

// tableWaitLimit bounds the wait for a new table to become ACTIVE, whatever
// the context allows. AWS usually needs seconds; emulators none.
const tableWaitLimit = 2 * time.Minute

// table is what the two stores of one Backend share: the client, the table
// and the state of its set-up.
type table struct {
	client   *dynamodb.Client
	name     string
	endpoint string // for error messages
	create   bool
	log      *slog.Logger

	ensureMu sync.Mutex // serialises ensure
	ttlWarn  sync.Once

	open      atomic.Int32 // stores not yet closed
	closeIdle func()       // releases what Open built; nil for New
}

// endpointOf describes where client sends its requests, for error messages
// and logs: without the password an endpoint URL may hold.
func endpointOf(client *dynamodb.Client) string {
	o := client.Options()
	if o.BaseEndpoint != nil && *o.BaseEndpoint != "" {
		return storage.RedactURL(*o.BaseEndpoint)
	}
	if o.Region == "" {
		return "the AWS DynamoDB endpoint (no region set)"
	}
	return fmt.Sprintf("the AWS DynamoDB endpoint of region %s", o.Region)
}

// probe checks, within timeout, that the service answers for the table.
func (t *table) probe(ctx context.Context, timeout time.Duration) error {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := t.describe(pctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("dynamostore: DescribeTable %q at %s: %w", t.name, t.endpoint, context.Cause(ctx))
	}
	return fmt.Errorf("dynamostore: cannot use DynamoDB at %s (DescribeTable %q within %v): %w", t.endpoint, t.name, timeout, err)
}

// describe returns the table's description, or nil when it does not exist.
func (t *table) describe(ctx context.Context) (*types.TableDescription, error) {
	out, err := t.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.name)})
	if isTableMissing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return out.Table, nil
}

// ensure makes sure the table exists (creating it when allowed) and is
// usable, has the key schema this package needs, and has TTL enabled where
// possible. It waits, up to tableWaitLimit, for a table being created, or
// being deleted before it can be created again.
func (t *table) ensure(ctx context.Context) error {
	t.ensureMu.Lock()
	defer t.ensureMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, tableWaitLimit)
	defer cancel()
	delay := 20 * time.Millisecond
	for {
		desc, err := t.describe(ctx)
		if err != nil {
			return fmt.Errorf("DescribeTable %q at %s: %w", t.name, t.endpoint, err)
		}
		status := "missing"
		switch {
		case desc == nil && !t.create:
			return fmt.Errorf("table %q does not exist at %s and table creation is off (CreateTable false, URL create=false)", t.name, t.endpoint)
		case desc == nil:
			if err := t.createTable(ctx); err != nil {
				return err
			}
		case desc.TableStatus == types.TableStatusActive || desc.TableStatus == types.TableStatusUpdating:
			if err := checkSchema(t.name, desc); err != nil {
				return err
			}
			return t.ensureTTL(ctx)
		case desc.TableStatus == types.TableStatusCreating || desc.TableStatus == types.TableStatusDeleting:
			status = string(desc.TableStatus)
		default: // archived, or its encryption key is inaccessible
			return fmt.Errorf("table %q at %s is %s and cannot be used", t.name, t.endpoint, desc.TableStatus)
		}
		if err := sleep(ctx, delay); err != nil {
			return fmt.Errorf("waiting for table %q at %s to become ACTIVE (it is %s): %w", t.name, t.endpoint, status, err)
		}
		delay = min(2*delay, time.Second)
	}
}

func (t *table) createTable(ctx context.Context) error {
	_, err := t.client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(t.name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(attrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(attrKey), KeyType: types.KeyTypeHash}},
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil // being created by someone else, or still being deleted: ensure waits
	}
	if err != nil {
		return fmt.Errorf("CreateTable %q at %s: %w", t.name, t.endpoint, err)
	}
	return nil
}

// checkSchema verifies that the table's only key is the string partition key
// attrKey.
func checkSchema(name string, desc *types.TableDescription) error {
	ok := len(desc.KeySchema) == 1 &&
		aws.ToString(desc.KeySchema[0].AttributeName) == attrKey &&
		desc.KeySchema[0].KeyType == types.KeyTypeHash
	if ok {
		for _, a := range desc.AttributeDefinitions {
			if aws.ToString(a.AttributeName) == attrKey && a.AttributeType != types.ScalarAttributeTypeS {
				ok = false
			}
		}
	}
	if ok {
		return nil
	}
	var have []string
	for _, k := range desc.KeySchema {
		have = append(have, fmt.Sprintf("%s (%s)", aws.ToString(k.AttributeName), k.KeyType))
	}
	return fmt.Errorf("table %q has key schema [%s]; dynamostore needs a table whose only key is the partition key %q of type S (use another cache name, or let dynamostore create the table)",
		name, strings.Join(have, ", "), attrKey)
}

// ensureTTL enables Time to Live on attrExpires when it is off. Failures
// other than a done context are logged once and ignored: reads check expiry
// themselves.
func (t *table) ensureTTL(ctx context.Context) error {
	out, err := t.client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(t.name)})
	if err != nil {
		return t.ttlFailed(ctx, "DescribeTimeToLive", err)
	}
	if d := out.TimeToLiveDescription; d != nil {
		switch d.TimeToLiveStatus {
		case types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling:
			if name := aws.ToString(d.AttributeName); name != attrExpires {
				t.warnTTL(fmt.Sprintf("Time to Live uses attribute %q, not %q: DynamoDB will not remove expired cache items (reads still hide them)", name, attrExpires))
			}
			return nil
		case types.TimeToLiveStatusDisabling:
			t.warnTTL("Time to Live is being disabled and cannot be enabled now: DynamoDB will not remove expired cache items (reads still hide them)")
			return nil
		}
	}
	_, err = t.client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(t.name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attrExpires), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return t.ttlFailed(ctx, "UpdateTimeToLive", err)
	}
	return nil
}

func (t *table) ttlFailed(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s %q at %s: %w", op, t.name, t.endpoint, err)
	}
	why := "failed"
	if isUnsupported(err) {
		why = "is not supported by this service"
	}
	t.warnTTL(fmt.Sprintf("%s %s, so DynamoDB will not remove expired cache items; reads still hide them and DeleteExpired removes them: %v", op, why, err))
	return nil
}

func (t *table) warnTTL(msg string) {
	t.ttlWarn.Do(func() {
		t.log.Warn("dynamostore: "+msg, slog.String("table", t.name), slog.String("endpoint", t.endpoint))
	})
}

// do runs fn, and when fn finds the table missing and table creation is on,
// creates the table again and runs fn once more. This is how a store
// recovers from an in-memory server's restart or a table deleted under it.
func (t *table) do(ctx context.Context, fn func(ctx context.Context) error) error {
	err := fn(ctx)
	if err == nil || !t.create || !isTableMissing(err) {
		return err
	}
	if eerr := t.ensure(ctx); eerr != nil {
		return fmt.Errorf("%w (and re-creating the table failed: %w)", err, eerr)
	}
	return fn(ctx)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
