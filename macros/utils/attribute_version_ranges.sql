{#
    Every version of an entity whose attributes repeat on its submissions (a store, a customer): a gaps-and-islands
    over `relation` (one row per interpretable submission: the entity key, submission_id, submitted_at and the
    attribute columns). A version is a run of consecutive submission times showing the same attributes; it holds
    from its first submission's time (valid_from, inclusive) to the next version's (valid_to, exclusive; NULL for
    the current one), so an entity's versions never overlap and cover every one of its submission times. Returns
    the entity key, the attribute columns, version_start_submission_id, valid_from and valid_to.
#}
{%- macro attribute_version_ranges(relation, entity_key, attribute_columns) -%}
    select
        version_starts.{{ entity_key }},
        {%- for column in attribute_columns %}
            version_starts.{{ column }},
        {%- endfor %}
        version_starts.submission_id as version_start_submission_id,
        version_starts.submitted_at as valid_from,
        lead(version_starts.submitted_at) over (
            partition by version_starts.{{ entity_key }} order by version_starts.submitted_at
        ) as valid_to
    from (
        select
            instants.*,
            coalesce(
                instants.attributes_hash != lag(instants.attributes_hash) over (
                    partition by instants.{{ entity_key }} order by instants.submitted_at
                ),
                true
            ) as starts_version
        from (
            -- one submission per entity and instant, the triage's last (larger submission_id): a time has one version
            select
                entity_submissions.*,
                {{ generate_surrogate_key(attribute_columns) }} as attributes_hash,
                row_number() over (
                    partition by entity_submissions.{{ entity_key }}, entity_submissions.submitted_at
                    order by
                        {{ dbt.length('entity_submissions.submission_id') }} desc,
                        entity_submissions.submission_id desc
                ) as instant_recency
            from {{ relation }} as entity_submissions
        ) as instants
        where instants.instant_recency = 1
    ) as version_starts
    where version_starts.starts_version
{%- endmacro -%}

{# The version `versions` (a relation alias with valid_from and valid_to) holds at the timestamp `at`. #}
{%- macro version_holds_at(versions, at) -%}
    ({{ versions }}.valid_from <= {{ at }} and ({{ versions }}.valid_to > {{ at }} or {{ versions }}.valid_to is null))
{%- endmacro -%}
