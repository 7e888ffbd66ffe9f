{# Incremental builds: a model processes the parent rows stamped (processed_at) after its own latest stamp. #}
{%- macro processed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro -%}

{%- macro processed_at_watermark() -%}
    {{ latest_stamp('processed_at') }}
{%- endmacro -%}

{# Written as a literal, not a subquery, so the planner estimates the increment from the column's statistics. #}
{%- macro latest_stamp(column, relation=none, at_most=none) -%}
    {%- set relation = relation if relation is not none else this -%}
    {%- set latest = none -%}
    {#- A table built before it had the column has no watermark: everything is new. -#}
    {%- if execute and column in adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- set result = run_query(
            'select max(' ~ column ~ ') from ' ~ relation
            ~ (' where ' ~ column ~ ' <= ' ~ at_most if at_most is not none else '')
        ) -%}
        {%- set latest = result.columns[0].values()[0] -%}
    {%- endif -%}
    {%- if latest is none -%}
        cast('1900-01-01' as {{ dbt.type_timestamp() }})
    {%- elif latest is string -%}
        cast('{{ latest }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ latest.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro -%}

{%- macro changed_members(relation, key, columns) -%}
    select {{ relation }}.* from {{ relation }}
    {%- if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as existing_members
            where
                existing_members.{{ key }} = {{ relation }}.{{ key }}
                {%- for column in columns %}
                    and existing_members.{{ column }} is not distinct from {{ relation }}.{{ column }}
                {%- endfor %}
        )
    {%- endif %}
{%- endmacro -%}

{%- macro changed_customer_as_of_dates(versions_relation) -%}
    {%- set version_dates = {
        'first_loaded_known_from_date':
            "case when loaded_at is null or " ~ utc_to_local('loaded_at', "'UTC'") ~ " > "
            ~ processed_at_watermark() ~ " then known_from_date end",
        'first_known_from_date': 'known_from_date',
    } -%}
    {{ rewritten_order_customers(
        versions_relation,
        version_dates,
        'coalesce(first_loaded_known_from_date, first_known_from_date)',
        'recompute_from_date'
    ) }}
{%- endmacro -%}

{# One pass with a window per order: a self-join of the rewritten versions was planned as a nested loop. #}
{%- macro rewritten_order_customers(versions_relation, version_dates, order_date_expression, as_name, watermark=none) -%}
    select
        order_customers.customer_id,
        min({{ order_date_expression }}) as {{ as_name }}
    from (
        select
            order_customer_dates.customer_id
            {%- for name in version_dates %},
                min(order_customer_dates.{{ name }}) over (partition by order_customer_dates.order_id) as {{ name }}
            {%- endfor %}
        from (
            select
                order_id,
                customer_id
                {%- for name, expression in version_dates.items() %},
                    min({{ expression }}) as {{ name }}
                {%- endfor %}
            from {{ versions_relation }}
            where processed_at > {{ watermark if watermark is not none else processed_at_watermark() }}
            group by order_id, customer_id
        ) as order_customer_dates
    ) as order_customers
    where order_customers.customer_id is not null
    group by order_customers.customer_id
{%- endmacro -%}

{# A join, not an IN list, which PostgreSQL scans row by row when it expects it large. #}
{%- macro delete_changed_customer_as_of_dates(versions_relation) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        using ({{ changed_customer_as_of_dates(versions_relation) }}) as changed_customers
        where
            {{ this.identifier }}.customer_id = changed_customers.customer_id
            and {{ this.identifier }}.as_of_date >= changed_customers.recompute_from_date
    {%- endif -%}
{%- endmacro -%}

{# The bounds are read first and written as literals, so that the usual run (no row outside) runs no statement. #}
{%- macro delete_as_of_dates_outside(as_of_dates_relation) -%}
    {%- if is_incremental() and execute -%}
        {%- set bounds = run_query(
            'select min(as_of_date), max(as_of_date) from ' ~ as_of_dates_relation
        ).rows[0] -%}
        {%- set existing = run_query('select min(as_of_date), max(as_of_date) from ' ~ this).rows[0] -%}
        {%- if bounds[0] is not none and existing[0] is not none
            and (existing[0] < bounds[0] or existing[1] > bounds[1]) -%}
            delete from {{ this }}
            where
                as_of_date < cast('{{ bounds[0] }}' as date)
                or as_of_date > cast('{{ bounds[1] }}' as date)
        {%- endif -%}
    {%- endif -%}
{%- endmacro -%}

{# Probes only the customer-months whose parent rows may have been deleted, not an anti-join of the whole table. #}
{%- macro delete_customer_as_of_dates_missing_from(parent_relation, versions_relation) -%}
    {%- if is_incremental() -%}
        {%- set parent_watermark = latest_stamp('processed_at', parent_relation, processed_at_watermark()) %}
        delete from {{ this }}
        using (
            select
                probed_customers.customer_id,
                min(probed_customers.probe_from_date) as probe_from_date
            from (
                select
                    parent.customer_id,
                    cast('0001-01-01' as date) as probe_from_date
                from {{ parent_relation }} as parent
                where parent.processed_at > {{ processed_at_watermark() }}
                union all
                {{ rewritten_order_customers(
                    versions_relation,
                    {'first_known_from_date': 'known_from_date'},
                    'first_known_from_date',
                    'probe_from_date',
                    parent_watermark,
                ) }}
            ) as probed_customers
            group by probed_customers.customer_id
        ) as rewritten_customers
        where
            {{ this.identifier }}.customer_id = rewritten_customers.customer_id
            and {{ this.identifier }}.as_of_date >= rewritten_customers.probe_from_date
            and not exists (
                select 1 from {{ parent_relation }} as parent
                where
                    parent.customer_id = {{ this.identifier }}.customer_id
                    and parent.as_of_date = {{ this.identifier }}.as_of_date
            )
    {%- endif -%}
{%- endmacro -%}

{%- macro delete_rejudged_order_submissions(triaged_relation) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where order_id in (
            select rejudged.order_id from {{ triaged_relation }} as rejudged
            where rejudged.processed_at > {{ processed_at_watermark() }}
        )
    {%- endif -%}
{%- endmacro -%}
