<?xml version="1.0" encoding="UTF-8"?>
<!-- The indexes of a MARCXML record, named as pqf.properties maps the
     Bath and Dublin Core CQL indexes: issn (022), isbn (020), oclc (035
     with the OCoLC prefix), title (245) and creator (100, 700). -->
<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:m="http://www.loc.gov/MARC21/slim"
                xmlns:z="http://indexdata.com/zebra-2.0"
                version="1.0">
  <xsl:output method="xml" encoding="UTF-8"/>
  <xsl:template match="/">
    <z:record>
      <xsl:for-each select="//m:datafield[@tag='022']/m:subfield[@code='a']">
        <z:index name="issn:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
      <xsl:for-each select="//m:datafield[@tag='020']/m:subfield[@code='a']">
        <z:index name="isbn:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
      <xsl:for-each select="//m:datafield[@tag='035']/m:subfield[@code='a'][starts-with(., '(OCoLC)')]">
        <z:index name="oclc:w"><xsl:value-of select="substring-after(., '(OCoLC)')"/></z:index>
      </xsl:for-each>
      <xsl:for-each select="//m:datafield[@tag='245']/m:subfield[@code='a' or @code='b']">
        <z:index name="title:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
      <xsl:for-each select="//m:datafield[@tag='100' or @tag='700']/m:subfield[@code='a']">
        <z:index name="creator:w"><xsl:value-of select="."/></z:index>
      </xsl:for-each>
    </z:record>
  </xsl:template>
</xsl:stylesheet>
