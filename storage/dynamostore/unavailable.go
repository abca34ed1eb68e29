package dynamostore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// Codes of the service's errors that say it cannot serve for now rather
// than that the request is wrong.
var transientCodes = map[string]bool{
	"ThrottlingException":                    true,
	"ProvisionedThroughputExceededException": true,
	"RequestLimitExceeded":                   true,
	"InternalServerError":                    true,
	"InternalFailure":                        true,
	"ServiceUnavailable":                     true,
	"ServiceUnavailableException":            true,
}

// markUnavailable returns err wrapping storage.ErrUnavailable when it means
// that the service could not be reached, and err itself otherwise.
func markUnavailable(ctx context.Context, err error) error {
	if unreachable(ctx, err) {
		return storage.Unavailable(err)
	}
	return err
}

// unreachable reports whether err, the failure of a call made under ctx,
// means that the service could not be reached or cannot serve for now (an
// outage) rather than that the configuration is wrong (a mistake): the
// request could not be sent or got no answer (refused, reset, timed out,
// no such host), the deadline passed, or the service answered with an HTTP
// 5xx status or throttling. A failure to obtain credentials (a call to
// another service, such as the EC2 metadata service or STS, that failed) is
// a mistake, as is any other answer of the service (AccessDeniedException,
// UnrecognizedClientException, ValidationException, ...). A caller's
// cancellation is neither: it is not an outage.
func unreachable(ctx context.Context, err error) bool {
	if err == nil || errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return false
	}
	if credentialsFailed(err) || tlsMistake(err) {
		return false
	}
	// The request was not sent, or no response came (the SDK reports
	// these as responses of status 0).
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) {
		return true
	}
	// The service answered.
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500 {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return transientCodes[ae.ErrorCode()]
	}
	return storeutil.NetworkFailure(err)
}

// credentialsFailed reports whether err is a DynamoDB call that failed
// because another service's call, made to obtain credentials, failed: the
// error of one operation holds the error of another.
func credentialsFailed(err error) bool {
	var op *smithy.OperationError
	if !errors.As(err, &op) {
		return false
	}
	var inner *smithy.OperationError
	return errors.As(op.Err, &inner)
}

// tlsMistake reports whether err says that the TLS settings are wrong: the
// endpoint's certificate does not verify, or it does not speak TLS.
func tlsMistake(err error) bool {
	var verr *tls.CertificateVerificationError
	var uaErr x509.UnknownAuthorityError
	var hErr x509.HostnameError
	var ciErr x509.CertificateInvalidError
	var rhErr tls.RecordHeaderError
	return errors.As(err, &verr) || errors.As(err, &uaErr) || errors.As(err, &hErr) ||
		errors.As(err, &ciErr) || errors.As(err, &rhErr) ||
		// net/http's own error for an http:// server asked for https://.
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}
