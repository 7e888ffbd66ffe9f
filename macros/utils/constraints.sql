{# Added after the table is filled: validated by one join, not by a trigger per inserted row. #}
{%- macro ensure_foreign_key(column, to, to_column) -%}
    {{ return(adapter.dispatch('ensure_foreign_key', 'orders_warehouse')(column, to, to_column)) }}
{%- endmacro -%}

{%- macro postgres__ensure_foreign_key(column, to, to_column) -%}
    {%- set constraint_name = this.identifier ~ '_' ~ column ~ '_fkey' -%}
    do $ensure_foreign_key$
    begin
        if not exists (
            select 1 from pg_catalog.pg_constraint
            where conrelid = '{{ this }}'::regclass and conname = '{{ constraint_name }}'
        ) then
            alter table {{ this }}
                add constraint {{ constraint_name }} foreign key ({{ column }}) references {{ to }} ({{ to_column }});
        end if;
    end
    $ensure_foreign_key$
{%- endmacro -%}

{%- macro duckdb__ensure_foreign_key(column, to, to_column) -%}
{%- endmacro -%}

{%- macro spark__ensure_foreign_key(column, to, to_column) -%}
{%- endmacro -%}
