package dynamostore

import (
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// wrap wraps err once with the store's name, the table and the namespace
// ("TABLE/responses"); the core adds the operation and the key. A nil err
// stays nil.
func (s *store) wrap(err error) error {
	if err == nil {
		return nil
	}
	return &storeutil.Error{Store: "dynamostore", Namespace: s.t.name + "/" + s.ns, Err: err}
}

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
