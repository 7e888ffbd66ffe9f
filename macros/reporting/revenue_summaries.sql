{# Incremental runs recompute whole every group a changed line is in now or may have been in (docs/incremental.md). #}

{# Literals, not subqueries, for the reason latest_stamp gives. #}
{%- macro revenue_summary_changes(customers=false) -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if 'processed_at' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {{ return({'recompute_all': true}) }}
    {%- endif -%}
    {%- set recategorized_query -%}
        select distinct changed_items.sku
        from {{ ref('dim_items') }} as changed_items
        inner join {{ ref('int_order_version_items_priced') }} as versions
            on changed_items.sku = versions.sku
        where
            changed_items.processed_at > {{ processed_at_watermark() }}
            and {{ label_missing('versions.item_category') }} != changed_items.category
    {%- endset -%}
    {%- set skus = run_query(recategorized_query).columns[0].values() | list -%}
    {%- set customer_ids = [] -%}
    {%- if customers -%}
        {%- set moved_query -%}
            select distinct changed_customers.customer_id
            from {{ ref('dim_customers') }} as changed_customers
            inner join {{ ref('int_order_version_items_priced') }} as versions
                on changed_customers.customer_id = versions.customer_id
            where
                changed_customers.processed_at > {{ processed_at_watermark() }}
                and versions.customer_country_code is distinct from changed_customers.country_code
        {%- endset -%}
        {%- set customer_ids = run_query(moved_query).columns[0].values() | list -%}
    {%- endif -%}
    {{ return({
        'recompute_all': skus | length + customer_ids | length > max_moved_members(),
        'recategorized_skus': skus,
        'moved_customer_ids': customer_ids,
    }) }}
{%- endmacro -%}

{%- macro max_moved_members() -%}
    {{ return(1000) }}
{%- endmacro -%}

{%- macro text_literal_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro -%}

{%- macro recomputes_changed_groups(changes) -%}
    {{ return(changes is not none and not changes.recompute_all) }}
{%- endmacro -%}

{%- macro revenue_summary_changed_lines(changes) -%}
    changed_orders as (

        select distinct priced.order_id from {{ ref('int_order_items_priced') }} as priced
        where priced.processed_at > {{ processed_at_watermark() }}

    ),

    earlier_versions as (

        select versions.*
        from {{ ref('int_order_version_items_priced') }} as versions
        inner join changed_orders
            on versions.order_id = changed_orders.order_id

    ),

    line_categories as (

        select items.sku, {{ label_missing('items.category') }} as category from {{ ref('int_items') }} as items
        {%- if changes.recategorized_skus %}
            union
            select versions.sku, {{ label_missing('versions.item_category') }} as category
            from {{ ref('int_order_version_items_priced') }} as versions
            where versions.sku in ({{ text_literal_list(changes.recategorized_skus) }})
        {%- endif %}

    ),
{%- endmacro -%}

{# The versions of an order do not record its store: their groups recompute for every store (store_id NULL). #}
{%- macro daily_revenue_changed_groups(changes) -%}
    with

    {{ revenue_summary_changed_lines(changes) }}

    changed_lines as (

        select priced.order_date, priced.store_id, priced.sku
        from {{ ref('int_order_items_priced') }} as priced
        where priced.processed_at > {{ processed_at_watermark() }}
        {%- if changes.recategorized_skus %}
            union all
            select priced.order_date, priced.store_id, priced.sku
            from {{ ref('int_order_items_priced') }} as priced
            where priced.sku in ({{ text_literal_list(changes.recategorized_skus) }})
        {%- endif %}
        union all
        select earlier_versions.order_date, cast(null as {{ dbt.type_string() }}) as store_id, earlier_versions.sku
        from earlier_versions

    )

    select distinct changed_lines.order_date, changed_lines.store_id, line_categories.category
    from changed_lines
    inner join line_categories
        on changed_lines.sku = line_categories.sku
{%- endmacro -%}

{%- macro monthly_revenue_changed_groups(changes) -%}
    with

    {{ revenue_summary_changed_lines(changes) }}

    changed_lines as (

        select priced.order_date, priced.customer_id, priced.sku
        from {{ ref('int_order_items_priced') }} as priced
        where priced.processed_at > {{ processed_at_watermark() }}
        {%- if changes.recategorized_skus %}
            union all
            select priced.order_date, priced.customer_id, priced.sku
            from {{ ref('int_order_items_priced') }} as priced
            where priced.sku in ({{ text_literal_list(changes.recategorized_skus) }})
        {%- endif %}
        {%- if changes.moved_customer_ids %}
            union all
            select priced.order_date, priced.customer_id, priced.sku
            from {{ ref('int_order_items_priced') }} as priced
            where priced.customer_id in ({{ text_literal_list(changes.moved_customer_ids) }})
        {%- endif %}
        union all
        select earlier_versions.order_date, earlier_versions.customer_id, earlier_versions.sku
        from earlier_versions

    ),

    customer_countries as (

        select customers.customer_id, customers.country_code from {{ ref('int_customers') }} as customers
        inner join (select distinct changed_lines.customer_id from changed_lines) as line_customers
            on customers.customer_id = line_customers.customer_id
        {%- if changes.moved_customer_ids %}
            union
            select versions.customer_id, versions.customer_country_code as country_code
            from {{ ref('int_order_version_items_priced') }} as versions
            where versions.customer_id in ({{ text_literal_list(changes.moved_customer_ids) }})
        {%- endif %}

    ),

    changed_groups as (

        select distinct
            cast({{ dbt.date_trunc('month', 'changed_lines.order_date') }} as date) as month_start_date,
            customer_countries.country_code as customer_country_code,
            line_categories.category
        from changed_lines
        inner join line_categories
            on changed_lines.sku = line_categories.sku
        -- guest orders (no customer) and customers unknown to int_customers have no country
        left join customer_countries
            on changed_lines.customer_id = customer_countries.customer_id

    )

    select
        {{ generate_surrogate_key(['month_start_date', 'customer_country_code', 'category']) }}
            as monthly_revenue_key,
        month_start_date
    from changed_groups
{%- endmacro -%}

{# A group left by its last line is not written again, so the insert alone would keep it. #}
{%- macro delete_daily_revenue_changed_groups() -%}
    {%- set changes = revenue_summary_changes() -%}
    {%- if recomputes_changed_groups(changes) -%}
        delete from {{ this }}
        using ({{ daily_revenue_changed_groups(changes) }}) as changed_groups
        where
            {{ this.identifier }}.order_date = changed_groups.order_date
            and {{ this.identifier }}.category = changed_groups.category
            and (changed_groups.store_id is null or {{ this.identifier }}.store_id = changed_groups.store_id)
    {%- elif changes is not none -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro -%}

{%- macro delete_monthly_revenue_changed_groups() -%}
    {%- set changes = revenue_summary_changes(customers=true) -%}
    {%- if recomputes_changed_groups(changes) -%}
        delete from {{ this }}
        using ({{ monthly_revenue_changed_groups(changes) }}) as changed_groups
        where {{ this.identifier }}.monthly_revenue_key = changed_groups.monthly_revenue_key
    {%- elif changes is not none -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro -%}
