{# Read at execution time, so the spine is generated from literal dates; at parse time, the current year. #}
{%- macro get_date_spine_bounds(relation, date_column, margin_years=0) -%}
    {%- set margin_years = margin_years | int -%}
    {%- set current_year = modules.datetime.date.today().year -%}
    {%- set first_year = current_year -%}
    {%- set last_year = current_year -%}

    {%- if execute and load_relation(relation) is not none -%}
        {%- set bounds_query -%}
            select
                min(extract(year from {{ date_column }})) as first_year,
                max(extract(year from {{ date_column }})) as last_year
            from {{ relation }}
        {%- endset -%}
        {%- set bounds_row = run_query(bounds_query).rows[0] -%}
        {%- if bounds_row[0] is not none and bounds_row[1] is not none -%}
            {%- set first_year = bounds_row[0] | int -%}
            {%- set last_year = bounds_row[1] | int -%}
        {%- endif -%}
    {%- endif -%}

    {{ return({
        'start_date': '%04d-01-01' | format(first_year - margin_years),
        'end_date': '%04d-12-31' | format(last_year + margin_years),
    }) }}
{%- endmacro -%}
