"""The `$metadata` document: an OData v2 EDMX built from the entity sets, with sap: annotations."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from sop_sap_like.edm import EntitySet, Prop


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _property(prop: Prop) -> str:
    attrs = [
        f"Name={quoteattr(prop.name)}",
        f"Type={quoteattr(prop.type)}",
        f"Nullable={quoteattr(_bool(not (prop.key or prop.required)))}",
    ]
    if prop.max_length:
        attrs.append(f'MaxLength="{prop.max_length}"')
    if prop.label:
        attrs.append(f"sap:label={quoteattr(prop.label)}")
    attrs += [
        f'sap:creatable="{_bool(prop.upsertable or prop.key)}"',
        f'sap:updatable="{_bool(prop.updatable and not prop.key)}"',
        f'sap:upsertable="{_bool(prop.upsertable or prop.key)}"',
        f'sap:filterable="{_bool(prop.filterable)}"',
        f'sap:required="{_bool(prop.required or prop.key)}"',
    ]
    if prop.picklist:
        attrs.append(f"sap:picklist={quoteattr(','.join(prop.picklist))}")
    return f"<Property {' '.join(attrs)}/>"


def metadata_document(entity_sets: list[EntitySet]) -> str:
    types, associations, sets, association_sets = [], [], [], []
    for es in entity_sets:
        lines = [
            f"<EntityType Name={quoteattr(es.name)} sap:label={quoteattr(es.label)}>",
            "<Key>",
            *(f"<PropertyRef Name={quoteattr(k.name)}/>" for k in es.keys),
            "</Key>",
            *(_property(p) for p in es.props),
        ]
        for nav in es.navs:
            name = f"{es.name}_{nav.name}"
            source_role, target_role = f"{es.name}_source", f"{nav.target}_target"
            lines.append(
                f'<NavigationProperty Name={quoteattr(nav.name)} Relationship="SFOData.{name}" '
                f'FromRole="{source_role}" ToRole="{target_role}"/>'
            )
            associations.append(
                f'<Association Name="{name}">'
                f'<End Type="SFOData.{es.name}" Multiplicity="*" Role="{source_role}"/>'
                f'<End Type="SFOData.{nav.target}" Multiplicity="{"*" if nav.many else "0..1"}" '
                f'Role="{target_role}"/></Association>'
            )
            association_sets.append(
                f'<AssociationSet Name="{name}_set" Association="SFOData.{name}">'
                f'<End EntitySet="{es.name}" Role="{source_role}"/>'
                f'<End EntitySet="{nav.target}" Role="{target_role}"/></AssociationSet>'
            )
        lines.append("</EntityType>")
        types.append("".join(lines))
        flags = (
            f'sap:creatable="{_bool(es.creatable)}" sap:updatable="{_bool(es.updatable)}" '
            f'sap:deletable="{_bool(es.deletable)}" sap:upsertable="{_bool(es.creatable)}"'
        )
        if es.effective:
            flags += ' sap:effective-dated="true"'
        sets.append(
            f'<EntitySet Name={quoteattr(es.name)} EntityType="SFOData.{es.name}" '
            f"sap:label={quoteattr(es.label)} {flags}/>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
        'xmlns:sap="http://www.successfactors.com/edm/sap">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        '<Schema Namespace="SFOData" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        + "".join(types)
        + '<ComplexType Name="UpsertResult">'
        '<Property Name="key" Type="Edm.String" Nullable="true"/>'
        '<Property Name="status" Type="Edm.String" Nullable="true"/>'
        '<Property Name="editStatus" Type="Edm.String" Nullable="true"/>'
        '<Property Name="message" Type="Edm.String" Nullable="true"/>'
        '<Property Name="index" Type="Edm.Int32" Nullable="true"/>'
        '<Property Name="httpCode" Type="Edm.Int32" Nullable="true"/>'
        '<Property Name="inlineResults" Type="Edm.String" Nullable="true"/>'
        "</ComplexType>"
        + "".join(associations)
        + '<EntityContainer Name="EntityContainer" m:IsDefaultEntityContainer="true">'
        + "".join(sets)
        + "".join(association_sets)
        + '<FunctionImport Name="upsert" ReturnType="Collection(SFOData.UpsertResult)" '
        'm:HttpMethod="POST"/>' + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
    )
