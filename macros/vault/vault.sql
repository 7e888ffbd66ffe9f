
{%- macro vault_business_key(column) -%}
    cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro -%}

{%- macro vault_hash_key(business_key_columns) -%}
    {%- set normalized = [] -%}
    {%- for column in business_key_columns -%}
        {%- do normalized.append(vault_business_key(column)) -%}
    {%- endfor -%}
    {{ generate_surrogate_key(normalized) }}
{%- endmacro -%}

{%- macro vault_hashable_number(column) -%}
    {{ return(adapter.dispatch('vault_hashable_number', 'orders_warehouse')(column)) }}
{%- endmacro -%}

{%- macro default__vault_hashable_number(column) -%}
    cast({{ column }} as decimal(38, 10))
{%- endmacro -%}

{#- Spark writes a decimal below 10^-6 in scientific notation ('0E-10'): its plain text, as the others write it. #}
{%- macro spark__vault_hashable_number(column) -%}
    replace(format_number(cast({{ column }} as decimal(38, 10)), 10), ',', '')
{%- endmacro -%}

{%- macro vault_hashable_timestamp(column) -%}
    {{ utc_to_local(column, "'UTC'") }}
{%- endmacro -%}

{%- macro vault_load_date() -%}
    {{ processed_at() }}
{%- endmacro -%}

{%- macro vault_watermark() -%}
    {{ latest_stamp('load_date') }}
{%- endmacro -%}

{%- macro vault_satellite_changes(staged, hash_key, restarted_versions=false) -%}
    select {{ staged }}.*
    from {{ staged }}
    {%- if is_incremental() %}
        left join (
            select
                ranked.{{ hash_key }},
                ranked.hash_diff,
                ranked.effective_from
            from (
                select
                    {{ hash_key }},
                    hash_diff,
                    effective_from,
                    row_number() over (partition by {{ hash_key }} order by load_date desc) as recency
                from {{ this }}
                where {{ hash_key }} in (select {{ staged }}.{{ hash_key }} from {{ staged }})
            ) as ranked
            where ranked.recency = 1
        ) as latest_rows
            on {{ staged }}.{{ hash_key }} = latest_rows.{{ hash_key }}
        where
            latest_rows.{{ hash_key }} is null
            or latest_rows.hash_diff is distinct from {{ staged }}.hash_diff
            {%- if restarted_versions %}
            or {{ staged }}.effective_from > latest_rows.effective_from
            {%- endif %}
    {%- endif %}
{%- endmacro -%}

{# A join to the latest load date, not a row_number() = 1 filter, whose share of rows the planner underestimates. #}
{%- macro vault_current_rows(satellite, hash_key, lookup=false) -%}
    {%- if lookup %}
        select satellite_rows.*
        from {{ satellite }} as satellite_rows
        where not exists (
            select 1 from {{ satellite }} as later_rows
            where
                later_rows.{{ hash_key }} = satellite_rows.{{ hash_key }}
                and later_rows.load_date > satellite_rows.load_date
        )
    {%- else %}
        select satellite_rows.*
        from {{ satellite }} as satellite_rows
        inner join (
            select
                {{ hash_key }},
                max(load_date) as load_date
            from {{ satellite }}
            group by {{ hash_key }}
        ) as latest_loads
            on
                satellite_rows.{{ hash_key }} = latest_loads.{{ hash_key }}
                and satellite_rows.load_date = latest_loads.load_date
    {%- endif %}
{%- endmacro -%}
