"""The FOCUS 1.0 columns, in the specification's order, and the provider's values.

Every column FOCUS 1.0 defines is written (null where FOCUS allows and we have
nothing: no regions, resources, commitment discounts or tags), then the usage
metrics other than credits as ``x_`` columns, which FOCUS reserves for a
provider's own.

ServiceCategory is ``Compute``: AnchorBrowser runs browsers in the cloud and
bills credits for the sessions' time and work, as a compute service bills
instance time; "Web" (web hosting, CDNs) and "Developer Tools" (CI, code
repositories) describe what is built with a browser, not what is billed.
"""

from __future__ import annotations

__all__ = ["COLUMNS", "EXTRA_COLUMNS", "PROVIDER", "SERVICE_CATEGORY", "SERVICE_NAME", "UNIT"]

PROVIDER = "AnchorBrowser"  # ProviderName, PublisherName and InvoiceIssuerName
SERVICE_NAME = "AnchorBrowser Cloud Browsers"
SERVICE_CATEGORY = "Compute"
UNIT = "Credits"  # ConsumedUnit and PricingUnit
SKU_ID = "anchorbrowser-credit"

COLUMNS = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
)

# The usage metrics beside credits, as the provider's own columns.
EXTRA_COLUMNS = {
    "session_count": "x_SessionCount",
    "session_hours": "x_SessionHours",
    "ai_steps": "x_AiSteps",
    "proxy_bytes": "x_ProxyBytes",
    "network_bytes_total": "x_NetworkBytes",
    "screenshots": "x_Screenshots",
}
