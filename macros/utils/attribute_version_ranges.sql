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

{%- macro version_holds_at(versions, at) -%}
    ({{ versions }}.valid_from <= {{ at }} and ({{ versions }}.valid_to > {{ at }} or {{ versions }}.valid_to is null))
{%- endmacro -%}
