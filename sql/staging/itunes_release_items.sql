-- model: staging.itunes_release_items
-- materialized: view
-- canonical: itunes_collection_id = min(item_id)
-- iTunes' collections as release items (no barcode in the Search API).
select collection_id::varchar as item_id, title, artist_name as artist, null::varchar as gtin,
    release_date::varchar as release_date, track_count, null::double as popularity,
    'https://music.apple.com/album/' || collection_id as url, raw_file
from staging.itunes_albums
