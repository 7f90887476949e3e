//! The CloudTrail record: one definition for decoding and for the Arrow schema.

use std::fmt;
use std::sync::Arc;

use arrow::array::{ArrayRef, TimestampMicrosecondBuilder};
use arrow::datatypes::{DataType, TimeUnit};
use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::column::{Bool, Column, ColumnBuilder, JsonText, Payload, Text, cloudtrail_struct};
use crate::layout::Layout;
use crate::rebuild::Shape;
use crate::time::parse_event_time;

/// `eventTime`, in microseconds since the epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTime(pub i64);

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EventTime;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a time such as \"2024-05-01T12:00:00Z\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EventTime, E> {
                parse_event_time(v).map(EventTime).ok_or_else(|| {
                    E::custom(format_args!(
                        "not a time: \"{v}\" (expected e.g. \"2024-05-01T12:00:00Z\")"
                    ))
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl Column for EventTime {
    type Builder = EventTimeBuilder;
    fn data_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    }
    fn builder(capacity: usize) -> EventTimeBuilder {
        EventTimeBuilder(TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone("UTC"))
    }
    fn shape() -> Shape {
        Shape::Time
    }
}

impl Layout for EventTime {}

/// Builder for [`EventTime`] columns.
pub struct EventTimeBuilder(TimestampMicrosecondBuilder);

impl ColumnBuilder<EventTime> for EventTimeBuilder {
    fn append(&mut self, value: Option<&EventTime>) {
        self.0.append_option(value.map(|t| t.0));
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.0.finish())
    }
}

cloudtrail_struct! {
    /// `userIdentity.sessionContext.attributes`.
    pub struct SessionAttributes<'a> / SessionAttributesBuilder {
        "creationdate" / "creationDate" => creation_date: Text<'a>,
        "mfaauthenticated" / "mfaAuthenticated" => mfa_authenticated: Text<'a>,
    }
}

cloudtrail_struct! {
    /// `userIdentity.sessionContext.sessionIssuer`.
    pub struct SessionIssuer<'a> / SessionIssuerBuilder {
        "type" / "type" => kind: Text<'a>,
        "principalid" / "principalId" => principal_id: Text<'a>,
        "arn" / "arn" => arn: Text<'a>,
        "accountid" / "accountId" => account_id: Text<'a>,
        "username" / "userName" => user_name: Text<'a>,
    }
}

cloudtrail_struct! {
    /// `userIdentity.sessionContext.webIdFederationData`.
    pub struct WebIdFederationData<'a> / WebIdFederationDataBuilder {
        "federatedprovider" / "federatedProvider" => federated_provider: Text<'a>,
        "attributes" / "attributes" => attributes: Payload<'a>,
    }
}

cloudtrail_struct! {
    /// `userIdentity.sessionContext`.
    pub struct SessionContext<'a> / SessionContextBuilder {
        "attributes" / "attributes" => attributes: SessionAttributes<'a>,
        "sessionissuer" / "sessionIssuer" => session_issuer: SessionIssuer<'a>,
        "webidfederationdata" / "webIdFederationData" => web_id_federation_data: WebIdFederationData<'a>,
        "sourceidentity" / "sourceIdentity" => source_identity: Text<'a>,
        "ec2roledelivery" / "ec2RoleDelivery" => ec2_role_delivery: Text<'a>,
        "ec2issuedinvpc" / "ec2IssuedInVpc" => ec2_issued_in_vpc: Text<'a>,
    }
}

cloudtrail_struct! {
    /// `userIdentity.onBehalfOf` (IAM Identity Center).
    pub struct OnBehalfOf<'a> / OnBehalfOfBuilder {
        "userid" / "userId" => user_id: Text<'a>,
        "identitystorearn" / "identityStoreArn" => identity_store_arn: Text<'a>,
    }
}

cloudtrail_struct! {
    /// `userIdentity`: who made the request.
    pub struct UserIdentity<'a> / UserIdentityBuilder {
        "type" / "type" => kind: Text<'a>,
        "principalid" / "principalId" => principal_id: Text<'a>,
        "arn" / "arn" => arn: Text<'a>,
        "accountid" / "accountId" => account_id: Text<'a>,
        "accesskeyid" / "accessKeyId" => access_key_id: Text<'a>,
        "username" / "userName" => user_name: Text<'a>,
        "sessioncontext" / "sessionContext" => session_context: SessionContext<'a>,
        "invokedby" / "invokedBy" => invoked_by: Text<'a>,
        "identityprovider" / "identityProvider" => identity_provider: Text<'a>,
        "credentialid" / "credentialId" => credential_id: Text<'a>,
        "onbehalfof" / "onBehalfOf" => on_behalf_of: OnBehalfOf<'a>,
    }
}

cloudtrail_struct! {
    /// One entry of `resources`.
    pub struct Resource<'a> / ResourceBuilder {
        "accountid" / "accountId" => account_id: Text<'a>,
        "type" / "type" => kind: Text<'a>,
        "arn" / "ARN" => arn: Text<'a>,
        "arnprefix" / "ARNPrefix" => arn_prefix: Text<'a>,
    }
}

cloudtrail_struct! {
    /// `tlsDetails`.
    pub struct TlsDetails<'a> / TlsDetailsBuilder {
        "tlsversion" / "tlsVersion" => tls_version: Text<'a>,
        "ciphersuite" / "cipherSuite" => cipher_suite: Text<'a>,
        "clientprovidedhostheader" / "clientProvidedHostHeader" => client_provided_host_header: Text<'a>,
    }
}

cloudtrail_struct! {
    /// `addendum`: set when CloudTrail re-delivers an event.
    pub struct Addendum<'a> / AddendumBuilder {
        "reason" / "reason" => reason: Text<'a>,
        "updatedfields" / "updatedFields" => updated_fields: Text<'a>,
        "originalrequestid" / "originalRequestID" => original_request_id: Text<'a>,
        "originaleventid" / "originalEventID" => original_event_id: Text<'a>,
    }
}

cloudtrail_struct! {
    /// A CloudTrail record, in CloudTrail Lake's column order. Fields not listed here stay in `eventjson`.
    /// Fields never move, in this struct or the ones it holds: stored layouts name them by position, so new ones
    /// go at the end.
    pub struct Record<'a> / RecordBuilder {
        "eventversion" / "eventVersion" => event_version: Text<'a>,
        "useridentity" / "userIdentity" => user_identity: UserIdentity<'a>,
        "eventtime" / "eventTime" => event_time: EventTime,
        "eventsource" / "eventSource" => event_source: Text<'a>,
        "eventname" / "eventName" => event_name: Text<'a>,
        "awsregion" / "awsRegion" => aws_region: Text<'a>,
        "sourceipaddress" / "sourceIPAddress" => source_ip_address: Text<'a>,
        "useragent" / "userAgent" => user_agent: Text<'a>,
        "errorcode" / "errorCode" => error_code: Text<'a>,
        "errormessage" / "errorMessage" => error_message: Text<'a>,
        "requestparameters" / "requestParameters" => request_parameters: Payload<'a>,
        "responseelements" / "responseElements" => response_elements: Payload<'a>,
        "additionaleventdata" / "additionalEventData" => additional_event_data: Payload<'a>,
        "requestid" / "requestID" => request_id: Text<'a>,
        "eventid" / "eventID" => event_id: Text<'a>,
        "readonly" / "readOnly" => read_only: Bool,
        "resources" / "resources" => resources: Vec<Resource<'a>>,
        "eventtype" / "eventType" => event_type: Text<'a>,
        "apiversion" / "apiVersion" => api_version: Text<'a>,
        "managementevent" / "managementEvent" => management_event: Bool,
        "recipientaccountid" / "recipientAccountId" => recipient_account_id: Text<'a>,
        "sharedeventid" / "sharedEventID" => shared_event_id: Text<'a>,
        "annotation" / "annotation" => annotation: Text<'a>,
        "vpcendpointid" / "vpcEndpointId" => vpc_endpoint_id: Text<'a>,
        "vpcendpointaccountid" / "vpcEndpointAccountId" => vpc_endpoint_account_id: Text<'a>,
        "serviceeventdetails" / "serviceEventDetails" => service_event_details: Payload<'a>,
        "addendum" / "addendum" => addendum: Addendum<'a>,
        "edgedevicedetails" / "edgeDeviceDetails" => edge_device_details: JsonText<'a>,
        "insightdetails" / "insightDetails" => insight_details: Payload<'a>,
        "eventcategory" / "eventCategory" => event_category: Text<'a>,
        "tlsdetails" / "tlsDetails" => tls_details: TlsDetails<'a>,
        "sessioncredentialfromconsole" / "sessionCredentialFromConsole" => session_credential_from_console: Text<'a>,
    }
}

impl Record<'_> {
    /// The event category, as CloudTrail names it: the record's own `eventCategory`, or for records older than
    /// that field, `Insight` for Insights events, `Data` when `managementEvent` is false, else `Management`.
    pub fn category(&self) -> &str {
        if let Some(c) = &self.event_category {
            return c.as_str();
        }
        if self
            .event_type
            .as_ref()
            .is_some_and(|t| t.as_str() == "AwsCloudTrailInsight")
        {
            "Insight"
        } else if self.management_event.is_some_and(|m| !m.0) {
            "Data"
        } else {
            "Management"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored layout names each key by its field's position (crate::layout): moving, removing or inserting a
    /// field would make the layouts already stored write other keys. New fields go at the end of their struct,
    /// and this list grows with them; a change in the stored format needs a layout prefix outside
    /// [`crate::layout::CODES`].
    #[test]
    fn field_positions_are_the_stored_layout_codes_and_never_move() {
        let pinned: &[(&str, &[&str])] = &[
            ("SessionAttributes", &["creationdate", "mfaauthenticated"]),
            (
                "SessionIssuer",
                &["type", "principalid", "arn", "accountid", "username"],
            ),
            ("WebIdFederationData", &["federatedprovider", "attributes"]),
            (
                "SessionContext",
                &[
                    "attributes",
                    "sessionissuer",
                    "webidfederationdata",
                    "sourceidentity",
                    "ec2roledelivery",
                    "ec2issuedinvpc",
                ],
            ),
            ("OnBehalfOf", &["userid", "identitystorearn"]),
            (
                "UserIdentity",
                &[
                    "type",
                    "principalid",
                    "arn",
                    "accountid",
                    "accesskeyid",
                    "username",
                    "sessioncontext",
                    "invokedby",
                    "identityprovider",
                    "credentialid",
                    "onbehalfof",
                ],
            ),
            ("Resource", &["accountid", "type", "arn", "arnprefix"]),
            (
                "TlsDetails",
                &["tlsversion", "ciphersuite", "clientprovidedhostheader"],
            ),
            (
                "Addendum",
                &[
                    "reason",
                    "updatedfields",
                    "originalrequestid",
                    "originaleventid",
                ],
            ),
            (
                "Record",
                &[
                    "eventversion",
                    "useridentity",
                    "eventtime",
                    "eventsource",
                    "eventname",
                    "awsregion",
                    "sourceipaddress",
                    "useragent",
                    "errorcode",
                    "errormessage",
                    "requestparameters",
                    "responseelements",
                    "additionaleventdata",
                    "requestid",
                    "eventid",
                    "readonly",
                    "resources",
                    "eventtype",
                    "apiversion",
                    "managementevent",
                    "recipientaccountid",
                    "sharedeventid",
                    "annotation",
                    "vpcendpointid",
                    "vpcendpointaccountid",
                    "serviceeventdetails",
                    "addendum",
                    "edgedevicedetails",
                    "insightdetails",
                    "eventcategory",
                    "tlsdetails",
                    "sessioncredentialfromconsole",
                ],
            ),
        ];
        let actual: &[(&str, &[&str])] = &[
            ("SessionAttributes", SessionAttributes::COLUMNS),
            ("SessionIssuer", SessionIssuer::COLUMNS),
            ("WebIdFederationData", WebIdFederationData::COLUMNS),
            ("SessionContext", SessionContext::COLUMNS),
            ("OnBehalfOf", OnBehalfOf::COLUMNS),
            ("UserIdentity", UserIdentity::COLUMNS),
            ("Resource", Resource::COLUMNS),
            ("TlsDetails", TlsDetails::COLUMNS),
            ("Addendum", Addendum::COLUMNS),
            ("Record", Record::COLUMNS),
        ];
        for ((name, want), (_, got)) in pinned.iter().zip(actual) {
            assert!(
                got.starts_with(want),
                "{name}: stored layouts name fields by position; {want:?} must stay the first fields, found {got:?}"
            );
            assert!(
                got.len() <= crate::layout::CODES.len(),
                "{name}: too many fields for the codes"
            );
        }
    }
}
