package dynamostore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// wrap wraps err once with the operation, namespace, key (when there is one)
// and table.
func (s *Store) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if key == "" {
		return fmt.Errorf("dynamostore: %s %s in table %q: %w", op, s.ns, s.t.name, err)
	}
	return fmt.Errorf("dynamostore: %s %s key %s in table %q: %w", op, s.ns, quoteKey(key), s.t.name, err)
}

// quoteKey quotes a key for an error message, shortening a long one.
func quoteKey(key string) string {
	const max = 80
	if len(key) <= max {
		return fmt.Sprintf("%q", key)
	}
	cut := max
	for cut > 0 && !isRuneStart(key[cut]) {
		cut--
	}
	return fmt.Sprintf("%q...(%d bytes)", key[:cut], len(key))
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// isTableMissing reports whether err says that the table does not exist.
func isTableMissing(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

// isConditionFailed reports whether err is a failed ConditionExpression.
func isConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

// isUnsupported reports whether err says that the service does not know the
// operation (dynalite has no TTL operations).
func isUnsupported(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	code := ae.ErrorCode()
	return code == "UnknownOperationException" || strings.Contains(code, "NotImplemented")
}
