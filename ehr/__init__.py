"""The FHIR R4 edge of the product: EHRs send notes and structured data in; nothing else knows FHIR."""
