"""sesflow: a typed, high-level Python SDK for Amazon SES (v2).

Start from `SES`:

    >>> import sesflow
    >>> # needs AWS: credentials for a real account (below, `ses` runs on a FakeSES)
    >>> ses = sesflow.SES("eu-west-1")  # doctest: +SKIP
    >>> fake.transition("alice@example.com", "SUCCESS", after_seconds=60)  # Alice clicks
    >>> ses.identity("alice@example.com").create().wait_until_verified(timeout=600)
    Identity('alice@example.com', verification_status=SUCCESS)
    >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
    >>> print(dom.dns_records().with_purpose("mail_from_mx").to_bind())
    mail.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com.

Test code that uses it with `sesflow.testing.FakeSES`, no AWS account needed.
"""

from ._account import Account, ReviewDetails, SendQuota
from ._admin.dedicated_ips import DedicatedIp, WarmupStatus
from ._admin.endpoints import EndpointStatus, MultiRegionEndpoint
from ._admin.exports import ExportJob, ExportSource, ExportStatus, MessageFilter
from ._admin.insights import (
    ConfidenceVerdict,
    EmailAddressInsights,
    InsightsEvent,
    MessageInsights,
    RecipientInsights,
    SentMessage,
)
from ._admin.tenants import (
    SuppressionScope,
    Tenant,
    TenantResource,
    TenantResourceType,
    TenantSendingStatus,
    TenantSuppression,
)
from ._authorization import IdentityPolicy, PolicyStatement, SendingPolicy
from ._check import BulkCheck, CheckVerdict
from ._configuration_set import ConfigurationSet
from ._contact_list import (
    Contact,
    ContactList,
    Contacts,
    SubscriptionStatus,
    Topic,
    TopicPreference,
)
from ._destinations import (
    CloudWatchDestination,
    CloudWatchDimension,
    EventBridgeDestination,
    EventDestination,
    FirehoseDestination,
    SnsDestination,
)
from ._dkim import Byodkim, EasyDkim
from ._dns import DnsRecord, DnsRecords
from ._domain import Domain
from ._enums import (
    BehaviorOnMxFailure,
    BulkEmailStatus,
    ContactLanguage,
    DkimStatus,
    EventType,
    HttpsPolicy,
    IdentityType,
    MailFromDomainStatus,
    MailType,
    RecordPurpose,
    ReviewStatus,
    SuppressionReason,
    TlsPolicy,
    VerificationStatus,
)
from ._errors import (
    AccessDeniedError,
    AccountSuspendedError,
    AlreadyExistsError,
    ApiError,
    BadRequestError,
    ConflictError,
    DailyQuotaExceededError,
    JournalError,
    JournalInUseError,
    LimiterUnavailableError,
    LimitExceededError,
    MailFromDomainNotVerifiedError,
    MaybeSentError,
    MessageRejectedError,
    MissingExtraError,
    NotFoundError,
    SendingPausedError,
    ServiceError,
    SesflowError,
    ThrottledError,
    TransportError,
    ValidationError,
    VerificationFailedError,
    WaiterTimeoutError,
)
from ._findings import DoctorReport, Finding, Severity
from ._identity import Identity
from ._ip_pool import DedicatedIpPool
from ._message import Attachment, InlineTemplate, Recipient, SendResult
from ._ratelimit import Limiter
from ._report import (
    BulkFailure,
    BulkProgress,
    BulkReport,
    BulkResult,
    BulkSendError,
    partial_report,
)
from ._sender import Sender
from ._ses import SES
from ._signals import interrupt_on_sigterm
from ._suppression import SuppressedDestination, SuppressionList
from ._template import Template
from ._unsubscribe import InvalidTokenError, Unsubscribe, UnsubscribeToken
from ._unsubscribe_web import OptOut, handle_unsubscribe
from ._vdm import VdmSettings
from ._verification import VerificationTemplate
from ._version import __version__

__all__ = [
    "AccessDeniedError",
    "Account",
    "AccountSuspendedError",
    "AlreadyExistsError",
    "ApiError",
    "Attachment",
    "BadRequestError",
    "BehaviorOnMxFailure",
    "BulkCheck",
    "BulkEmailStatus",
    "BulkFailure",
    "BulkProgress",
    "BulkReport",
    "BulkResult",
    "BulkSendError",
    "Byodkim",
    "CheckVerdict",
    "CloudWatchDestination",
    "CloudWatchDimension",
    "ConfidenceVerdict",
    "ConfigurationSet",
    "ConflictError",
    "Contact",
    "ContactLanguage",
    "ContactList",
    "Contacts",
    "DailyQuotaExceededError",
    "DedicatedIp",
    "DedicatedIpPool",
    "DkimStatus",
    "DnsRecord",
    "DnsRecords",
    "DoctorReport",
    "Domain",
    "EasyDkim",
    "EmailAddressInsights",
    "EndpointStatus",
    "EventBridgeDestination",
    "EventDestination",
    "EventType",
    "ExportJob",
    "ExportSource",
    "ExportStatus",
    "Finding",
    "FirehoseDestination",
    "HttpsPolicy",
    "Identity",
    "IdentityPolicy",
    "IdentityType",
    "InlineTemplate",
    "InsightsEvent",
    "InvalidTokenError",
    "JournalError",
    "JournalInUseError",
    "LimitExceededError",
    "Limiter",
    "LimiterUnavailableError",
    "MailFromDomainNotVerifiedError",
    "MailFromDomainStatus",
    "MailType",
    "MaybeSentError",
    "MessageFilter",
    "MessageInsights",
    "MessageRejectedError",
    "MissingExtraError",
    "MultiRegionEndpoint",
    "NotFoundError",
    "OptOut",
    "PolicyStatement",
    "Recipient",
    "RecipientInsights",
    "RecordPurpose",
    "ReviewDetails",
    "ReviewStatus",
    "SES",
    "SendQuota",
    "SendResult",
    "Sender",
    "SendingPausedError",
    "SendingPolicy",
    "SentMessage",
    "ServiceError",
    "SesflowError",
    "Severity",
    "SnsDestination",
    "SubscriptionStatus",
    "SuppressedDestination",
    "SuppressionList",
    "SuppressionReason",
    "SuppressionScope",
    "Template",
    "Tenant",
    "TenantResource",
    "TenantResourceType",
    "TenantSendingStatus",
    "TenantSuppression",
    "ThrottledError",
    "TlsPolicy",
    "Topic",
    "TopicPreference",
    "TransportError",
    "Unsubscribe",
    "UnsubscribeToken",
    "ValidationError",
    "VdmSettings",
    "VerificationFailedError",
    "VerificationStatus",
    "VerificationTemplate",
    "WaiterTimeoutError",
    "WarmupStatus",
    "__version__",
    "handle_unsubscribe",
    "interrupt_on_sigterm",
    "partial_report",
]

# The public subpackages load on first attribute access, so `import sesflow` then
# `sesflow.testing.FakeSES()` works as the docs write it, while a program that only sends mail
# never pays for (or depends on) the fake SES or the event parsers.
import typing as _typing  # private name: `__all__` lists every public one

_LAZY_SUBPACKAGES = ("events", "redis", "testing")

if _typing.TYPE_CHECKING:
    # Type checkers see the subpackages as attributes; a misspelt name stays an error for them
    # because they never see the `__getattr__` below.
    from . import events as events
    from . import redis as redis
    from . import testing as testing
else:

    def __getattr__(name: str) -> object:
        if name in _LAZY_SUBPACKAGES:
            import importlib

            # import_module also binds the subpackage on this module: later lookups skip this.
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY_SUBPACKAGES})
