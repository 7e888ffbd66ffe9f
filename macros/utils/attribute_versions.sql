{#
    The latest state of an entity whose attributes repeat on every order (a customer, a store), and when that
    state began. Reads `relation` (one row per winning order, with submitted_at and order_id); returns its
    columns plus:
      recency          1 on the entity's most recent order (latest submitted_at, ties to the larger order_id);
      attributes_since when the current state began: the submission time of the first order of the latest run
                       of orders showing exactly these attributes, as UTC wall-clock time (the type dbt's
                       snapshots record validity in).
    Keep the rows with recency = 1.
#}
{%- macro latest_attribute_versions(relation, entity_key, attribute_columns) -%}
    select
        versions.*,
        {{ utc_to_local(
            'max(case when versions.starts_version then versions.submitted_at end) over (partition by versions.'
            ~ entity_key ~ ')',
            "'UTC'"
        ) }} as attributes_since
    from (
        select
            attribute_changes.*,
            coalesce(
                attribute_changes.attributes_hash != lag(attribute_changes.attributes_hash) over (
                    partition by attribute_changes.{{ entity_key }}
                    order by attribute_changes.submitted_at, attribute_changes.order_id
                ),
                true
            ) as starts_version,
            row_number() over (
                partition by attribute_changes.{{ entity_key }}
                order by attribute_changes.submitted_at desc, attribute_changes.order_id desc
            ) as recency
        from (
            select
                entity_orders.*,
                {{ generate_surrogate_key(attribute_columns) }} as attributes_hash
            from {{ relation }} as entity_orders
        ) as attribute_changes
    ) as versions
{%- endmacro -%}
