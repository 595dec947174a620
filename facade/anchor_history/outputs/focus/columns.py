"""The FOCUS 1.2 columns, in the specification's order, and the provider's values.

Every column FOCUS 1.2 defines is written (null where FOCUS allows and we have
nothing: no regions, resources, commitment discounts or capacity reservations;
``InvoiceId`` too, as the API exposes no invoice and a made-up one would be
wrong), then the provider's own columns, which FOCUS names with ``x_``:
the API key that ran the sessions and the usage metrics beside credits.

Credits are a virtual currency, the case FOCUS 1.2 added ``PricingCurrency`` for:
usage is priced in credits (one credit per credit used, so
``PricingCurrencyEffectiveCost`` is the credits themselves) and billed in the
price list's national currency (``BilledCost``). A price list in credits alone
would leave BilledCost unknown, so an export takes a credit price.

ServiceCategory is ``Compute``: AnchorBrowser runs browsers in the cloud and
bills credits for the sessions' time and work, as a compute service bills
instance time; "Web" (web hosting, CDNs) and "Developer Tools" (CI, code
repositories) describe what is built with a browser, not what is billed. None of
Compute's subcategories (virtual machines, containers, serverless functions,
virtual desktops, quantum) is a browser session, so ServiceSubcategory is the one
FOCUS keeps for that: ``Other (Compute)``.
"""

from __future__ import annotations

__all__ = [
    "COLUMNS",
    "EXTRA_COLUMNS",
    "KEY_COLUMN",
    "PRICING_CURRENCY",
    "PROVIDER",
    "SERVICE_CATEGORY",
    "SERVICE_NAME",
    "SERVICE_SUBCATEGORY",
    "SKU_METER",
    "UNIT",
]

PROVIDER = "AnchorBrowser"  # ProviderName, PublisherName and InvoiceIssuerName
SERVICE_NAME = "AnchorBrowser Cloud Browsers"
SERVICE_CATEGORY = "Compute"
SERVICE_SUBCATEGORY = "Other (Compute)"
UNIT = "Credits"  # ConsumedUnit and PricingUnit
PRICING_CURRENCY = "Credits"  # the virtual currency usage is priced in
SKU_ID = "anchorbrowser-credit"
SKU_METER = "Browser Session Usage"

COLUMNS = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
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
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
)

# The API key whose sessions a row holds (null on the row no session explains).
KEY_COLUMN = "x_ApiKeyName"
# The usage metrics beside credits, as the provider's own columns.
EXTRA_COLUMNS = {
    "session_count": "x_SessionCount",
    "session_hours": "x_SessionHours",
    "ai_steps": "x_AiSteps",
    "proxy_bytes": "x_ProxyBytes",
    "network_bytes_total": "x_NetworkBytes",
    "screenshots": "x_Screenshots",
}
